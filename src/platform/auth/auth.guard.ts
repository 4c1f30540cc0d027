import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { AuthConfig } from './auth.config.js';
import { Authenticator } from './authenticator.js';
import {
  AUTH_OPTIONS,
  BROWSER_REQUEST_HEADER,
  BROWSER_REQUEST_VALUE,
  PUBLIC_ROUTE_METADATA,
  ROLES_METADATA,
} from './constants.js';
import { CredentialsError } from './credentials-error.js';
import type { AuthenticatedRequest } from './principal.js';
import type { Role } from './role.js';

/** Methods that change nothing, which need no proof that the page itself sent them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every HTTP route needs credentials unless marked `@Public()`: 401 without valid ones, 403
 * with none of the roles the route asks (`@Roles()`, else `auth.defaultRoles`), 403 for a write
 * identified by the gateway's headers without the console's header (CSRF). Event
 * triggers are not HTTP and pass: the bus is not reachable from outside.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(AUTH_OPTIONS) private readonly auth: AuthConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE_METADATA, targets)) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request & AuthenticatedRequest>();
    const res = http.getResponse<Response>();

    let principal;
    try {
      principal = await this.authenticator.authenticate(req);
    } catch (error) {
      if (!(error instanceof CredentialsError)) throw error;
      res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
      throw new UnauthorizedException({ message: error.message, code: error.code });
    }
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException({
        message: 'credentials are required',
        code: 'unauthenticated',
      });
    }
    req.principal = principal;
    if (
      principal.method === 'gateway' &&
      !SAFE_METHODS.has(req.method) &&
      req.header(BROWSER_REQUEST_HEADER) !== BROWSER_REQUEST_VALUE
    ) {
      throw new ForbiddenException({
        message: `a request that changes state with the gateway's identity headers must carry the header ${BROWSER_REQUEST_HEADER}: ${BROWSER_REQUEST_VALUE} (cross-site request forgery protection)`,
        code: 'csrf-header-missing',
      });
    }

    const required =
      this.reflector.getAllAndOverride<Role[]>(ROLES_METADATA, targets) ?? this.auth.defaultRoles;
    if (
      principal.roles.includes('admin') ||
      required.some((role) => principal.roles.includes(role))
    )
      return true;
    throw new ForbiddenException({
      message: `this route needs the role ${required.join(' or ')}`,
      code: 'forbidden',
    });
  }
}
