import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import {
  closeRedisConnection,
  createRedisConnection,
  defineScripts,
  loadScript,
  type RedisConfig,
  type RedisConnection,
  runScript,
} from '../redis/index.js';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
type Hit = [hits: number, windowLeftMs: number, blocked: 0 | 1, blockLeftMs: number];

const RATE_LIMIT_HIT = loadScript(new URL('./scripts/rate-limit-hit.lua', import.meta.url));

/** The script's answer, checked: four integers, `blocked` 0 or 1. */
function hitOf(reply: unknown): Hit {
  if (
    Array.isArray(reply) &&
    reply.length === 4 &&
    reply.every((n) => Number.isInteger(n)) &&
    (reply[2] === 0 || reply[2] === 1)
  ) {
    return reply as Hit;
  }
  throw new Error(`the rate-limit script answered ${JSON.stringify(reply)}`);
}

/** A request waits no longer than this for its count: Redis answers in a millisecond when well. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * Rate-limit counters in Redis (one node, Sentinel or Cluster), under the app's key prefix, so that all replicas count
 * against one limit. Written here because no Redis storage for @nestjs/throttler
 * (@nest-lab/throttler-storage-redis) is installed, and one Lua script is all it takes.
 *
 * Fails open: while Redis does not answer, each replica counts in its own memory, so the
 * limit holds per replica (N times looser) instead of every caller getting a 500 for a
 * counter the gateway-fronted API could do without. One warning when that starts, one line
 * when the counters are shared again.
 */
export class RedisThrottlerStorage
  implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('RateLimit');
  private readonly redis: RedisConnection;
  private readonly local = new ThrottlerStorageService();
  private degraded = false;

  constructor(
    redisConfig: RedisConfig,
    private readonly keyPrefix: string,
    connectTimeoutMs: number,
  ) {
    this.redis = createRedisConnection(redisConfig, 'tributary-rate-limit', this.logger, {
      connectTimeout: connectTimeoutMs,
      // Disconnected, a count fails at once instead of queueing until Redis is back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
    });
    defineScripts(this.redis, RATE_LIMIT_HIT);
  }

  /**
   * Counts in Redis from the first request. Redis down at start is an outage like any other:
   * the first connection error is enough to count in memory meanwhile, the start waits no longer.
   */
  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch((error: Error) => this.degrade(error));
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    // Both keys of a client share its hash tag: the script touches them together, which a
    // Redis Cluster allows within one slot only.
    const base = `${this.keyPrefix}:rate-limit:{${throttlerName}:${key}}`;
    let hit: Hit;
    try {
      hit = hitOf(
        await runScript(
          this.redis,
          RATE_LIMIT_HIT,
          [base, `${base}:blocked`],
          [Math.max(1, Math.ceil(ttl)), limit, Math.max(0, Math.ceil(blockDuration))],
        ),
      );
    } catch (error) {
      this.degrade(error as Error);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    if (this.degraded) {
      this.degraded = false;
      this.logger.log('rate limits are counted in Redis again, shared by all replicas');
    }
    const [totalHits, windowLeftMs, blocked, blockLeftMs] = hit;
    return {
      totalHits,
      timeToExpire: Math.ceil(windowLeftMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeftMs / 1000),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.onApplicationShutdown();
    await closeRedisConnection(this.redis);
  }

  private degrade(error: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `rate limits cannot be counted in Redis (${error.message}); this replica counts in its own memory until Redis answers`,
    );
  }
}
