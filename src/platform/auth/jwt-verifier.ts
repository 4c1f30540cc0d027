import { createSecretKey } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
  type KeyInput,
} from 'jose';
import type { AuthConfig } from './auth.config.js';
import { CredentialsError } from './credentials-error.js';
import type { Principal } from './principal.js';
import { isRole, type Role } from './role.js';

/** Where the keys that sign bearer tokens come from. */
export type JwtKeySource =
  { algorithm: 'HS256'; key: KeyInput } | { algorithm: 'RS256'; key: KeyInput | JWTVerifyGetKey };

/** Reads the key source from configuration; undefined when no JWT is configured. */
export async function jwtKeySource(jwt: AuthConfig['jwt']): Promise<JwtKeySource | undefined> {
  if (jwt.secret)
    return { algorithm: 'HS256', key: createSecretKey(Buffer.from(jwt.secret, 'utf8')) };
  if (jwt.publicKey) return { algorithm: 'RS256', key: await importSPKI(jwt.publicKey, 'RS256') };
  if (jwt.jwksUrl) {
    return {
      algorithm: 'RS256',
      key: createRemoteJWKSet(new URL(jwt.jwksUrl), {
        timeoutDuration: 3000,
        cooldownDuration: 30_000,
      }),
    };
  }
  return undefined;
}

/**
 * Checks a bearer token: signature with the one configured algorithm (never the token's
 * own choice), issuer and audience when configured, and an expiry that must be present.
 */
export class JwtVerifier {
  constructor(
    private readonly source: JwtKeySource,
    private readonly options: Pick<
      AuthConfig['jwt'],
      'issuer' | 'audience' | 'rolesClaim' | 'clockToleranceSec'
    >,
  ) {}

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(token, this.source.key, {
        algorithms: [this.source.algorithm],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSec,
        requiredClaims: ['exp', 'sub'],
      });
      payload = verified.payload;
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new CredentialsError('token-expired', 'the bearer token has expired');
      if (error instanceof errors.JWTClaimValidationFailed) {
        throw new CredentialsError(
          'token-invalid',
          `the bearer token is not accepted: ${error.message}`,
        );
      }
      throw new CredentialsError('token-invalid', 'the bearer token is not valid');
    }
    return {
      subject: String(payload.sub),
      roles: rolesOf(payload[this.options.rolesClaim]),
      method: 'jwt',
    };
  }
}

/** Roles from a claim that is an array or a space/comma-separated string; unknown ones are ignored. */
export function rolesOf(claim: unknown): Role[] {
  const values = Array.isArray(claim)
    ? claim
    : typeof claim === 'string'
      ? claim.split(/[\s,]+/)
      : [];
  return [
    ...new Set(
      values
        .filter((v): v is string => typeof v === 'string')
        .map((v) => v.trim())
        .filter(isRole),
    ),
  ];
}
