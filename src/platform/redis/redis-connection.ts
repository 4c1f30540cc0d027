import { readFileSync } from 'node:fs';
import type { Logger } from '@nestjs/common';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { type RedisConfig, type RedisTopology, topologyOf } from './redis.config.js';
import { RedisUnavailableError } from './redis-unavailable.error.js';

/**
 * A connection to the configured Redis: a `Redis` client on one node or on a Sentinel group's
 * master, or a `Cluster` client. Both speak the same commands; the code that differs (finding
 * every key, a node's view) asks {@link isCluster}.
 */
export type RedisConnection = Redis | Cluster;

/** The options of one connection that are not where Redis is (timeouts, queueing, pipelining). */
export type ConnectionTuning = Pick<
  RedisOptions,
  | 'enableAutoPipelining'
  | 'enableOfflineQueue'
  | 'maxRetriesPerRequest'
  | 'commandTimeout'
  | 'connectTimeout'
>;

export function isCluster(redis: RedisConnection): redis is Cluster {
  return redis instanceof Cluster;
}

/**
 * The one way the app connects to Redis, whatever its topology. Errors are reported through
 * our logger at most once per status change: ioredis reconnects by itself, and a broker that
 * is down for a minute should not write thousands of identical lines. The connection is lazy:
 * {@link connectWithin} opens it.
 */
export function createRedisConnection(
  config: RedisConfig,
  name: string,
  logger: Logger,
  tuning: ConnectionTuning = {},
): RedisConnection {
  const redis = build(config, name, tuning);
  const where = describeRedis(config);
  let reported = false;
  redis.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    logger.error(`Redis connection ${name} to ${where}: ${error.message}; reconnecting`);
  });
  redis.on('ready', () => {
    if (reported) logger.log(`Redis connection ${name} to ${where} is back`);
    reported = false;
  });
  return redis;
}

function build(config: RedisConfig, name: string, tuning: ConnectionTuning): RedisConnection {
  const topology = topologyOf(config);
  const tls = tlsOptions(config);
  const credentials = { username: config.username, password: config.password };
  const node: RedisOptions = { connectionName: name, ...tuning, ...(tls ? { tls } : {}) };
  switch (topology) {
    case 'cluster': {
      const { enableAutoPipelining, enableOfflineQueue, ...perNode } = node;
      const options: ClusterOptions = {
        lazyConnect: true,
        enableAutoPipelining,
        // An auto-pipeline goes to the slot of a command's first argument: for XINFO GROUPS
        // <key> (and XGROUP) that is the subcommand's name, the wrong node, and a MOVED inside a
        // pipeline is not followed (the admin's stream listing failed on a Cluster).
        autoPipeliningIgnoredCommands: ['xinfo', 'xgroup'],
        enableOfflineQueue,
        redisOptions: { ...perNode, ...credentials },
        // A failover moves slots: commands wait for the new map instead of failing at once.
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 300,
        slotsRefreshTimeout: 2000,
      };
      return new Cluster(config.clusterNodes.map(parseAddress), options);
    }
    case 'sentinel':
      return new Redis({
        lazyConnect: true,
        ...node,
        ...credentials,
        sentinels: config.sentinels.map(parseAddress),
        name: config.sentinelName,
        sentinelPassword: config.sentinelPassword,
        ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
        // Told of a failover by the sentinels themselves, not only by the old master's socket.
        failoverDetector: true,
        // A master demoted to replica while we still talk to it: ask the sentinels again.
        reconnectOnError: (error) => error.message.startsWith('READONLY'),
      });
    case 'single':
      return new Redis(config.url!, { lazyConnect: true, ...node });
    default:
      throw new Error(
        'Redis is not configured: set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES',
      );
  }
}

function tlsOptions(config: RedisConfig): ConnectionOptions | undefined {
  if (!config.tls && !config.tlsCaFile) return undefined;
  return config.tlsCaFile ? { ca: readFileSync(config.tlsCaFile) } : {};
}

function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/** Where the configured Redis is, for log lines and errors: never a password. */
export function describeRedis(config: RedisConfig): string {
  switch (topologyOf(config)) {
    case 'cluster':
      return `Redis Cluster ${config.clusterNodes.join(',')}`;
    case 'sentinel':
      return `Redis Sentinel group ${config.sentinelName} (sentinels ${config.sentinels.join(',')})`;
    case 'single':
      return redactUrl(config.url!);
    default:
      return '(no Redis configured)';
  }
}

/** The connection attempt under way per connection: callers that ask meanwhile share it. */
const connecting = new WeakMap<RedisConnection, Promise<void>>();

/**
 * Connects, or fails after `timeoutMs` with a message naming the server (`where`, never its
 * password). Callers while Redis is away (a readiness probe every second) share one attempt,
 * rather than each leaving a listener behind for its deadline.
 */
export function connectWithin(
  redis: RedisConnection,
  where: string,
  timeoutMs: number,
): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  const pending = connecting.get(redis);
  if (pending) return pending;
  // Its failure is the 'error' event below, or the deadline: the rejection adds nothing.
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  const attempt = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new RedisUnavailableError(where, timeoutMs));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  }).finally(() => connecting.delete(redis));
  connecting.set(redis, attempt);
  return attempt;
}

/** Quits politely when connected (pending replies arrive), and drops the socket otherwise. */
export async function closeRedisConnection(redis: RedisConnection | undefined): Promise<void> {
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

/**
 * Every key matching `pattern` (of `type`, when given): SCAN on one node, or on every master
 * of a Cluster, where each holds its own slots' keys.
 */
export async function scanKeys(
  redis: RedisConnection,
  pattern: string,
  type?: string,
): Promise<string[]> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  const found = await Promise.all(
    nodes.map(async (node) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = (await node.call(
          'SCAN',
          cursor,
          'MATCH',
          pattern,
          'COUNT',
          500,
          ...(type ? ['TYPE', type] : []),
        )) as [string, string[]];
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      return keys;
    }),
  );
  return [...new Set(found.flat())];
}

/**
 * What readiness says of the topology: each node's role and link as this connection sees it.
 * A single node or Sentinel's master answers PING; a Cluster is ready when every slot has a
 * master (`cluster_state:ok`) on the node asked.
 */
export async function redisState(
  redis: RedisConnection,
  timeoutMs = 1000,
): Promise<{ ok: boolean; topology: RedisTopology; detail?: string }> {
  if (redis.status !== 'ready') return { ok: false, topology: kindOf(redis), detail: redis.status };
  if (isCluster(redis)) {
    const info = await within(redis.cluster('INFO') as Promise<string>, timeoutMs, '');
    const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'no answer';
    const masters = redis.nodes('master').length;
    return {
      ok: state === 'ok',
      topology: 'cluster',
      detail: `cluster_state ${state}, ${masters} masters`,
    };
  }
  const pong = await within(redis.ping(), timeoutMs, null);
  return {
    ok: pong === 'PONG',
    topology: kindOf(redis),
    ...(pong ? {} : { detail: 'no answer to PING' }),
  };
}

function kindOf(redis: RedisConnection): RedisTopology {
  if (isCluster(redis)) return 'cluster';
  return redis.options.sentinels?.length ? 'sentinel' : 'single';
}
