import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../../config/config.schema.js';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { AuthGuard } from './auth.guard.js';
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
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        {
          provide: 'AUTH_KEYS',
          useFactory: async () => {
            const configured = await jwtKeySource(config.auth.jwt);
            if (configured) return { source: configured, token: undefined };
            return (await developmentKeys(config)) ?? { source: undefined, token: undefined };
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
              keys.source ? new JwtVerifier(keys.source, config.auth.jwt) : undefined,
              new ApiKeyVerifier(config.auth.apiKeys),
              new GatewayIdentity(config.auth.gateway),
            ),
          inject: ['AUTH_KEYS'],
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [DevelopmentToken, Authenticator],
    };
  }
}
