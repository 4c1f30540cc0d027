import type { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUnavailableError } from './redis-unavailable.error.js';

/**
 * A Redis connection that reports its errors through our logger, at most once per status
 * change: ioredis reconnects by itself, and a broker that is down for a minute should not
 * write thousands of identical lines.
 */
export function createRedisConnection(
  url: string,
  name: string,
  logger: Logger,
  options: RedisOptions = {},
): Redis {
  const redis = new Redis(url, { connectionName: name, lazyConnect: true, ...options });
  let reported = false;
  redis.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger.error(`Redis connection ${name} to ${redactUrl(url)}: ${error.message}; reconnecting`);
  });
  redis.on('ready', () => {
    if (reported) logger.log(`Redis connection ${name} to ${redactUrl(url)} is back`);
    reported = false;
  });
  return redis;
}

/** Connects, or fails after `timeoutMs` with a message naming the server (never its password). */
export async function connectWithin(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  // Its failure is the 'error' event below, or the deadline: the rejection adds nothing.
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new RedisUnavailableError(redactUrl(url), timeoutMs));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** Quits politely when connected (pending replies arrive), and drops the socket otherwise. */
export async function closeRedisConnection(redis: Redis | undefined): Promise<void> {
  if (redis?.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis?.disconnect();
}

/** Resolves `fallback` if `promise` has not settled within `ms` (a stalled broker call). */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref()),
  ]);
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable Redis URL)';
  }
}
