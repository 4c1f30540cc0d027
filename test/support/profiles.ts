import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import type { DeepPartial } from '../../src/platform/config/index.js';
import { dataSourceOptions } from '../../src/platform/persistence/data-source-options.js';
import { createSpecDatabase, type DatabaseKind } from './databases.js';

/**
 * The two profiles every end-to-end spec runs on: `embedded` (SQLite file + in-process bus)
 * and `real` (MariaDB/MySQL + Redis Streams). `TEST_PROFILES=embedded` narrows the run on
 * purpose; the real profile is never skipped because its servers are missing: it fails.
 */
export type ProfileName = 'embedded' | 'real';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const profiles: ProfileName[] = (process.env.TEST_PROFILES ?? 'embedded,real')
  .split(',')
  .map((p) => p.trim())
  .filter((p): p is ProfileName => p === 'embedded' || p === 'real');

/** The databases of those profiles, for the unit specs that run on a database. */
export const profileDatabases: DatabaseKind[] = profiles.map((p) =>
  p === 'embedded' ? 'sqlite' : 'mysql',
);

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
    const database = await createSpecDatabase('sqlite');
    return {
      name,
      overrides: { database: database.settings, bus: { keyPrefix: `t${id}` } },
      dispose: () => database.drop(),
    };
  }
  const keyPrefix = `tributary-test:${id}`;
  const database = await createSpecDatabase('mysql');
  await assertRedis();
  return {
    name,
    overrides: { database: database.settings, redis: { url: REDIS_URL }, bus: { keyPrefix } },
    dispose: async () => {
      await database.drop();
      await deleteRedisKeys(`${keyPrefix}:*`);
    },
  };
}

/**
 * The environment that points an app started as its own OS process (`startAppProcess`) at a
 * profile's database and broker, with the pipelines it runs: the embedded profile's SQLite
 * file and in-process bus, or the real profile's MariaDB database and Redis key prefix.
 */
export function processEnv(profile: ProfileResources, pipelines: string): Record<string, string> {
  const { database, bus, redis } = profile.overrides;
  return {
    ...(database?.url ? { DATABASE_URL: database.url } : {}),
    ...(database?.sqlitePath ? { SQLITE_PATH: database.sqlitePath } : {}),
    ...(redis?.url ? { REDIS_URL: redis.url } : {}),
    BUS_KEY_PREFIX: bus!.keyPrefix!,
    PIPELINES: pipelines,
  };
}

/**
 * A connection to a profile's database beside an app process that migrated it, for a spec to
 * add its rows (a card) or read the app's; the caller destroys it.
 */
export function openProfileDatabase(profile: ProfileResources): Promise<DataSource> {
  return new DataSource(
    dataSourceOptions({
      sqlitePath: ':memory:',
      migrateOnStart: false,
      logging: false,
      ...profile.overrides.database,
    }),
  ).initialize();
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
