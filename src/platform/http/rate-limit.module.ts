import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { HttpConfig } from './http.config.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

/**
 * Requests per client address (`req.ip`, which believes X-Forwarded-For only from the
 * trusted proxies) within a window. With Redis (`bus.redisUrl`) the counters live there and
 * all replicas share the limit; without, each process counts in memory, which is right for
 * the embedded profile's single process. Routes marked `@SkipThrottle()` (health, metrics)
 * and event triggers are not counted. Imported before the auth module so that its guard runs
 * first and guessing credentials is throttled too.
 */
@Module({})
export class RateLimitModule {
  /** `redis`: where the counters live (the bus's Redis), absent for in-memory counting. */
  static forRoot(
    rateLimit: HttpConfig['rateLimit'],
    redis: { redisUrl?: string; keyPrefix: string; connectTimeoutMs: number },
  ): DynamicModule {
    const { ttlMs, limit } = rateLimit;
    const { redisUrl, keyPrefix, connectTimeoutMs } = redis;
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: ttlMs, limit }],
          skipIf: (context) => context.getType() !== 'http',
          errorMessage: 'too many requests: slow down and retry after the time in Retry-After',
          storage: redisUrl
            ? new RedisThrottlerStorage(redisUrl, keyPrefix, connectTimeoutMs)
            : undefined,
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}
