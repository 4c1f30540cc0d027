/** Credentials were presented but are not acceptable; `code` says why in a stable word. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';

  constructor(
    readonly code:
      'token-expired' | 'token-invalid' | 'api-key-invalid' | 'gateway-identity-invalid',
    message: string,
  ) {
    super(message);
  }
}
