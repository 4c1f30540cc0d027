/**
 * Replaces every occurrence of the secrets in `text`: peers sometimes echo what they were
 * sent, and their replies end up in error messages and logs.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('[redacted]');
  }
  return out;
}
