import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { HttpConfig } from './http.config.js';
import { type RedisConfig, topologyOf } from '../redis/index.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/**
 * Requests per client address (`req.ip`, which believes X-Forwarded-For only from the
 * trusted proxies) within a window. With Redis configured (`redis`) the counters live there and
 * all replicas share the limit; without, each process counts in memory, which is right for
 * the embedded profile's single process. Routes marked `@SkipThrottle()` (health, metrics)
 * and event triggers are not counted. Imported before the auth module so that its guard runs
 * first and guessing credentials is throttled too.
 */
@Module({})
export class RateLimitModule {
  /** `redis`: where the counters live (the bus's Redis); not configured, in-memory counting. */
  static forRoot(
    rateLimit: HttpConfig['rateLimit'],
    redis: RedisConfig,
    bus: { keyPrefix: string; connectTimeoutMs: number },
  ): DynamicModule {
    const { ttlMs, limit } = rateLimit;
    const { keyPrefix, connectTimeoutMs } = bus;
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: ttlMs, limit }],
          skipIf: (context) => context.getType() !== 'http',
          errorMessage: 'too many requests: slow down and retry after the time in Retry-After',
          storage: topologyOf(redis)
            ? new RedisThrottlerStorage(redis, keyPrefix, connectTimeoutMs)
            : undefined,
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
