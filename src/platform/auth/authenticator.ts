import type { Request } from 'express';
import type { ApiKeyVerifier } from './api-key-verifier.js';
import { API_KEY_HEADER } from './constants.js';
import { CredentialsError } from './credentials-error.js';
import type { GatewayIdentity } from './gateway-identity.js';
import type { JwtVerifier } from './jwt-verifier.js';
import type { Principal } from './principal.js';

const BEARER = /^Bearer ([A-Za-z0-9_.-]{1,8192})$/;

/**
 * Establishes who calls: a bearer JWT, else an API key, else the trusted gateway's headers.
 * Credentials that are present but wrong fail at once rather than falling through to the
 * next kind, so a bad token is never rescued by a header.
 */
export class Authenticator {
  constructor(
    private readonly jwt: JwtVerifier | undefined,
    private readonly apiKeys: ApiKeyVerifier,
    private readonly gateway: GatewayIdentity,
  ) {}

  async authenticate(req: Request): Promise<Principal | undefined> {
    const authorization = req.header('authorization');
    if (authorization !== undefined) {
      const match = BEARER.exec(authorization);
      if (!match)
        throw new CredentialsError(
          'token-invalid',
          'the Authorization header must be "Bearer <token>"',
        );
      if (!this.jwt)
        throw new CredentialsError(
          'token-invalid',
          'bearer tokens are not accepted: no JWT key is configured',
        );
      return this.jwt.verify(match[1]!);
    }
    const apiKey = req.header(API_KEY_HEADER);
    if (apiKey !== undefined) return this.apiKeys.verify(apiKey);
    return this.gateway.read(req);
  }
}
