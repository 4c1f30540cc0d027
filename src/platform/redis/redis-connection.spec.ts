import type { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../test/harness/free-ports.js';
import { REDIS_URL } from '../../../test/support/profiles.js';
import {
  closeRedisConnection,
  connectWithin,
  createRedisConnection,
  describeRedis,
} from './redis-connection.js';
import type { RedisConfig } from './redis.config.js';

const base: RedisConfig = { sentinels: [], clusterNodes: [], tls: false };

function recordingLogger() {
  const lines: string[] = [];
  const logger = {
    error: (line: string) => lines.push(line),
    log: (line: string) => lines.push(line),
  } as unknown as Logger;
  return { lines, logger };
}

describe('the Redis connection factory', () => {
  it('builds a Cluster client, a Sentinel client or a single-node client from the settings', () => {
    const { logger } = recordingLogger();
    const cluster = createRedisConnection(
      { ...base, clusterNodes: ['127.0.0.1:7000'] },
      'c',
      logger,
    );
    const sentinel = createRedisConnection(
      { ...base, sentinels: ['127.0.0.1:26379'], sentinelName: 'main' },
      's',
      logger,
    );
    const single = createRedisConnection({ ...base, url: REDIS_URL }, 'n', logger);
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      expect(sentinel).toBeInstanceOf(Redis);
      expect((sentinel as Redis).options).toMatchObject({
        name: 'main',
        sentinels: [{ host: '127.0.0.1', port: 26379 }],
      });
      expect(single).toBeInstanceOf(Redis);
      expect((single as Redis).options.sentinels).toBeFalsy();
    } finally {
      for (const redis of [cluster, sentinel, single]) redis.disconnect();
    }
  });

  it('names the servers in its one error line and its deadline, never the password', async () => {
    const port = await freePort();
    const secret = 'hunter2-do-not-log';
    for (const config of [
      { ...base, clusterNodes: [`127.0.0.1:${port}`], password: secret },
      {
        ...base,
        sentinels: [`127.0.0.1:${port}`],
        sentinelName: 'main',
        sentinelPassword: secret,
        password: secret,
      },
      { ...base, url: `redis://:${secret}@127.0.0.1:${port}` },
    ] satisfies RedisConfig[]) {
      const { lines, logger } = recordingLogger();
      const redis = createRedisConnection(config, 'tributary-spec', logger);
      const where = describeRedis(config);
      try {
        await expect(connectWithin(redis, where, 500)).rejects.toThrow(
          `Redis at ${where} did not answer within 500 ms`,
        );
        // Reconnect attempts went on meanwhile: one line for them all.
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`Redis connection tributary-spec to ${where}:`);
        expect([where, ...lines].join('\n')).not.toContain(secret);
      } finally {
        await closeRedisConnection(redis);
      }
    }
  });
});
