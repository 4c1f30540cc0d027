import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { AppConfig } from '../../config/config.schema.js';

/**
 * Requests per client address (`req.ip`, which believes X-Forwarded-For only from the
 * trusted proxies) within a window, per replica. Routes marked `@SkipThrottle()` (health,
 * metrics) and event triggers are not counted. Imported before the auth module so that its
 * guard runs first and guessing credentials is throttled too.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { ttlMs, limit } = config.http.rateLimit;
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: ttlMs, limit }],
          skipIf: (context) => context.getType() !== 'http',
          errorMessage: 'too many requests: slow down and retry after the time in Retry-After',
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
