import { createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AuthConfig } from './auth.config.js';
import type { JwtKeySource } from './jwt-verifier.js';

/** A token to try the API with, printed at start; exists only in development without JWT keys. */
export class DevelopmentToken {
  constructor(readonly token: string | undefined) {}
}

const DEV_TOKEN_TTL = '12h';

/**
 * In development with no JWT key configured, a secret made for this process only and an
 * admin token signed with it: `npm start` works at once, and nothing of it outlives the
 * process. Never in any other environment.
 */
export async function developmentKeys(
  auth: AuthConfig,
  environment: string,
): Promise<{ source: JwtKeySource; token: string } | undefined> {
  const { jwt } = auth;
  if (environment !== 'development' || jwt.secret || jwt.publicKey || jwt.jwksUrl) return undefined;
  const key = createSecretKey(randomBytes(32));
  let signer = new SignJWT({ [jwt.rolesClaim]: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('developer')
    .setIssuedAt()
    .setExpirationTime(DEV_TOKEN_TTL);
  if (jwt.issuer) signer = signer.setIssuer(jwt.issuer);
  if (jwt.audience) signer = signer.setAudience(jwt.audience);
  return { source: { algorithm: 'HS256', key }, token: await signer.sign(key) };
}
