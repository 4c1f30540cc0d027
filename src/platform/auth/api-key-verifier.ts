import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from './auth.config.js';
import { CredentialsError } from './credentials-error.js';
import type { Principal } from './principal.js';

/** The form `auth.apiKeys[].hash` takes for a key. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * API keys of machine clients, known only by their SHA-256. Keys are long random strings,
 * not passwords, so a fast hash is enough: what scrypt adds against guessing a human
 * password buys nothing against 256 random bits, and would cost CPU on every call.
 */
export class ApiKeyVerifier {
  private readonly keys: { name: string; digest: Buffer; roles: Principal['roles'] }[];

  constructor(apiKeys: AuthConfig['apiKeys']) {
    this.keys = apiKeys.map((k) => ({
      name: k.name,
      digest: Buffer.from(k.hash.slice('sha256:'.length), 'hex'),
      roles: k.roles,
    }));
  }

  get configured(): boolean {
    return this.keys.length > 0;
  }

  verify(key: string): Principal {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    // Compare with every key, always, so the time taken says nothing about which matched.
    let found: (typeof this.keys)[number] | undefined;
    for (const candidate of this.keys) {
      if (timingSafeEqual(candidate.digest, digest) && !found) found = candidate;
    }
    if (!found) throw new CredentialsError('api-key-invalid', 'the API key is not valid');
    return { subject: `api-key:${found.name}`, roles: [...found.roles], method: 'api-key' };
  }
}
