import type { Request } from 'express';
import type { AuthConfig } from './auth.config.js';
import { fromTrustedProxy } from '../http/gateway/trusted-proxy.js';
import { CredentialsError } from './credentials-error.js';
import { rolesOf } from './jwt-verifier.js';
import type { Principal } from './principal.js';

const PLAUSIBLE_USER = /^[\p{L}\p{N}@._:+-]{1,200}$/u;

/**
 * The identity the corporate gateway asserts in headers, after it authenticated the caller.
 * Believed only when the connection itself comes from an address in `http.trustedProxies`
 * (Express's compiled `trust proxy` check); from anywhere else the headers are ignored.
 */
export class GatewayIdentity {
  constructor(private readonly gateway: AuthConfig['gateway']) {}

  read(req: Request): Principal | undefined {
    if (!this.gateway.enabled) return undefined;
    const user = req.header(this.gateway.userHeader);
    if (user === undefined) return undefined;
    if (!fromTrustedProxy(req)) return undefined;
    if (!PLAUSIBLE_USER.test(user)) {
      throw new CredentialsError(
        'gateway-identity-invalid',
        `the ${this.gateway.userHeader} header is not a plausible user`,
      );
    }
    return {
      subject: user,
      roles: rolesOf(req.header(this.gateway.rolesHeader) ?? ''),
      method: 'gateway',
    };
  }
}
