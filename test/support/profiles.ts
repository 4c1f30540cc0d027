import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import type { AppConfig } from '../../src/config/config.schema.js';
import type { DeepPartial } from '../../src/config/load-config.js';

/**
 * The two profiles every end-to-end spec runs on: `embedded` (SQLite file + in-process bus)
 * and `real` (MariaDB/MySQL + Redis Streams). `TEST_PROFILES=embedded` narrows the run on
 * purpose; the real profile is never skipped because its servers are missing: it fails.
 */
export type ProfileName = 'embedded' | 'real';

export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const profiles: ProfileName[] = (process.env.TEST_PROFILES ?? 'embedded,real')
  .split(',')
  .map((p) => p.trim())
  .filter((p): p is ProfileName => p === 'embedded' || p === 'real');

/** A profile's isolated resources for one spec file: its own database and key prefix. */
export interface ProfileResources {
  name: ProfileName;
  overrides: DeepPartial<AppConfig>;
  /** Drops the database, the Redis keys or the SQLite file. */
  dispose(): Promise<void>;
}

export async function prepareProfile(name: ProfileName): Promise<ProfileResources> {
  const id = randomBytes(4).toString('hex');
  if (name === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-test-'));
    return {
      name,
      overrides: { database: { sqlitePath: join(dir, 'db.sqlite') }, bus: { keyPrefix: `t${id}` } },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const database = `tributary_test_${id}`;
  const keyPrefix = `tributary-test:${id}`;
  const admin = await connectMysql();
  await admin.query(
    `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await admin.end();
  await assertRedis();
  return {
    name,
    overrides: {
      database: { url: `${MYSQL_URL.replace(/\/$/, '')}/${database}` },
      bus: { redisUrl: REDIS_URL, keyPrefix },
    },
    dispose: async () => {
      const conn = await connectMysql();
      await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await conn.end();
      await deleteRedisKeys(`${keyPrefix}:*`);
    },
  };
}

async function connectMysql() {
  try {
    return await createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
  } catch (error) {
    throw new Error(
      `the real test profile needs MySQL/MariaDB at ${MYSQL_URL} (TEST_MYSQL_URL), which does not answer ` +
        `(${(error as Error).message}). Start it, or run TEST_PROFILES=embedded npm test on purpose.`,
    );
  }
}

async function assertRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `the real test profile needs Redis at ${REDIS_URL} (TEST_REDIS_URL), which does not answer ` +
        `(${(error as Error).message}). Start it, or run TEST_PROFILES=embedded npm test on purpose.`,
    );
  } finally {
    redis.disconnect();
  }
}

export async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
