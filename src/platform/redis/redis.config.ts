import { z } from 'zod';
import { type ConfigOf, defineConfig } from '../config/index.js';

/** `host:port`, as Sentinel and Cluster startup nodes are written in REDIS_SENTINELS and REDIS_CLUSTER_NODES. */
const address = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+:\d{1,5}$/, 'host:port addresses separated by commas');

/** The three ways to reach Redis, with the key and the variable that select each. */
const TOPOLOGIES = [
  { key: 'url', variable: 'REDIS_URL' },
  { key: 'sentinels', variable: 'REDIS_SENTINELS' },
  { key: 'clusterNodes', variable: 'REDIS_CLUSTER_NODES' },
] as const;

/**
 * Where Redis is, for every Redis user of the app (the event bus, rate limits): one node
 * (`url`), a Sentinel group (`sentinels` + `sentinelName`) or a Cluster (`clusterNodes`); none,
 * the app runs without Redis (in-process bus, in-memory rate limits). Credentials and TLS come
 * from the environment only (a configuration file with a password is refused).
 */
export const redisConfig = defineConfig({
  key: 'redis',
  // Read by the bus before Sentinel and Cluster came: the single node is now one topology of three.
  formerKeys: { 'bus.redisUrl': 'redis.url' },
  schema: z
    .object({
      /** One Redis server. */
      url: z
        .string()
        .regex(/^rediss?:\/\/.+/, 'a redis:// or rediss:// URL')
        .optional(),
      /** Sentinels of a Sentinel group, asked which node is the master now. */
      sentinels: z.array(address),
      /** The master name the sentinels monitor (`sentinel monitor <name> ...`). */
      sentinelName: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits and _ . -')
        .optional(),
      /** Startup nodes of a Redis Cluster (any few: the rest are discovered). */
      clusterNodes: z.array(address),
      /** ACL user of the data nodes (Sentinel and Cluster; a URL carries its own). */
      username: z.string().min(1).optional(),
      /** Password of the data nodes (Sentinel and Cluster; a URL carries its own). */
      password: z.string().min(1).optional(),
      /** Password of the sentinels themselves, when they require one. */
      sentinelPassword: z.string().min(1).optional(),
      /** TLS to the data nodes and the sentinels (a `rediss://` URL implies it). */
      tls: z.boolean(),
      /** A PEM file of the certificate authority that signs the servers' certificates. */
      tlsCaFile: z.string().min(1).optional(),
    })
    .strict()
    .superRefine((redis, ctx) => {
      const set = TOPOLOGIES.filter(({ key }) =>
        key === 'url' ? redis.url !== undefined : redis[key].length > 0,
      );
      for (const extra of set.slice(1)) {
        ctx.addIssue({
          code: 'custom',
          path: [extra.key],
          message: `${set[0]!.variable} (redis.${set[0]!.key}) is set too: set one of ${TOPOLOGIES.map((t) => t.variable).join(', ')}`,
        });
      }
      if (redis.sentinels.length > 0 && !redis.sentinelName) {
        ctx.addIssue({
          code: 'custom',
          path: ['sentinelName'],
          message:
            'required with REDIS_SENTINELS (redis.sentinels): the master name the sentinels monitor',
        });
      }
    }),
  defaults: { sentinels: [], clusterNodes: [], tls: false },
  env: {
    url: { name: 'REDIS_URL', parse: 'string', secret: 'url-credentials' },
    sentinels: { name: 'REDIS_SENTINELS', parse: 'list' },
    sentinelName: { name: 'REDIS_SENTINEL_NAME', parse: 'string' },
    clusterNodes: { name: 'REDIS_CLUSTER_NODES', parse: 'list' },
    username: { name: 'REDIS_USERNAME', parse: 'string', secret: 'value' },
    password: { name: 'REDIS_PASSWORD', parse: 'string', secret: 'value' },
    sentinelPassword: { name: 'REDIS_SENTINEL_PASSWORD', parse: 'string', secret: 'value' },
    tls: { name: 'REDIS_TLS', parse: 'boolean' },
    tlsCaFile: { name: 'REDIS_TLS_CA_FILE', parse: 'string' },
  },
});

export type RedisConfig = ConfigOf<typeof redisConfig>;

export type RedisTopology = 'single' | 'sentinel' | 'cluster';

/** Which topology the settings select; undefined when Redis is not configured. */
export function topologyOf(redis: RedisConfig): RedisTopology | undefined {
  if (redis.clusterNodes.length > 0) return 'cluster';
  if (redis.sentinels.length > 0) return 'sentinel';
  return redis.url ? 'single' : undefined;
}
