import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyVerifier } from './api-key-verifier.js';
import type { AuthConfig } from './auth.config.js';
import { AuthGuard } from './auth.guard.js';
import { AUTH_OPTIONS } from './constants.js';
import { Authenticator } from './authenticator.js';
import { developmentKeys, DevelopmentToken } from './development-token.js';
import { GatewayIdentity } from './gateway-identity.js';
import { JwtVerifier, jwtKeySource } from './jwt-verifier.js';

/**
 * Authentication and roles for the whole HTTP surface: a global guard, so a route someone
 * forgets to protect is protected anyway. Import after the rate limiter so that guessing
 * credentials is throttled too.
 */
@Global()
@Module({})
export class AuthModule {
  /** `environment`: `NODE_ENV`; only `development` gets a development token. */
  static forRoot(auth: AuthConfig, environment: string): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: AUTH_OPTIONS, useValue: auth },
        {
          provide: 'AUTH_KEYS',
          useFactory: async () => {
            const configured = await jwtKeySource(auth.jwt);
            if (configured) return { source: configured, token: undefined };
            return (
              (await developmentKeys(auth, environment)) ?? { source: undefined, token: undefined }
            );
          },
        },
        {
          provide: DevelopmentToken,
          useFactory: (keys: { token?: string }) => new DevelopmentToken(keys.token),
          inject: ['AUTH_KEYS'],
        },
        {
          provide: Authenticator,
          useFactory: (keys: { source?: Awaited<ReturnType<typeof jwtKeySource>> }) =>
            new Authenticator(
              keys.source ? new JwtVerifier(keys.source, auth.jwt) : undefined,
              new ApiKeyVerifier(auth.apiKeys),
              new GatewayIdentity(auth.gateway),
            ),
          inject: ['AUTH_KEYS'],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [DevelopmentToken, Authenticator],
    };
  }
}
