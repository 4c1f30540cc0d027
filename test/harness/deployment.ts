import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepMerge } from '../../src/platform/config/index.js';
import type { DeadLetter } from '../../src/platform/event-bus/delivery/dead-letter.js';
import {
  type StreamEntry,
  toDeadLetter,
} from '../../src/platform/event-bus/transports/redis-streams/redis-streams.events.js';
import { RedisStreamsKeys } from '../../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';
import { type AppProcess, BUILT_APP, startAppProcess } from './app-process.js';
import { type MariaDbServer, startMariaDb } from './mariadb-server.js';
import { killAllOwned } from './owned-processes.js';
import { type RedisServer, startRedis } from './redis-server.js';
import { scaledTimings, writeConfigDir } from './scaled-config.js';
import { TcpRelay } from './tcp-relay.js';

type Json = Record<string, unknown>;

export interface DeploymentOptions {
  /** Names the run's folder (logs, configuration) and the database. */
  name: string;
  /** Production's durations are divided by this ({@link scaledTimings}); 20 by default. */
  timeScale?: number;
  /** Configuration on top of the scaled timings: sources, a scenario's own timings… */
  settings?: Json;
}

/** Settings of a deployment's `<environment>.json`: the rate limit is not what is under test. */
const BASE_SETTINGS: Json = { http: { rateLimit: { limit: 1_000_000 } } };

/**
 * A deployment as users run one, on this machine only: a MariaDB and a Redis of its own, each
 * behind a {@link TcpRelay} that a spec cuts to play an outage, a configuration folder, and app
 * processes that reach both servers through the relays. Start one per suite, `dispose()` it in
 * `afterAll`: it ends every process it started, even after a failure.
 */
export interface Deployment {
  /** Logs (`<app>.log`, the servers' own) and configuration, kept after the run. */
  readonly dir: string;
  readonly mariadb: MariaDbServer;
  readonly redis: RedisServer;
  /** Between the apps and MariaDB. */
  readonly databaseRelay: TcpRelay;
  /** Between the apps and Redis. */
  readonly brokerRelay: TcpRelay;
  /** The app's database. */
  readonly database: string;
  readonly keyPrefix: string;
  /** Where the app's streams are on Redis (`keys.stream(event)`, `keys.deadLetter(event)`). */
  readonly keys: RedisStreamsKeys;
  /** Every app process started, in order. */
  readonly apps: AppProcess[];
  /**
   * Starts the built app with `PIPELINES=<pipelines>` on this deployment's servers and
   * configuration; `env` adds or overrides variables (`SMTP_URL`, `BUS_CLAIM_IDLE_MS`…).
   */
  app(name: string, pipelines: string, env?: Record<string, string>): Promise<AppProcess>;
  /** One statement on the app's database, straight to MariaDB (never through the relay). */
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  /** The dead letters on the broker (`<prefix>:dead-letter:{<event>}`, every event's), read straight from Redis. */
  deadLetters(): Promise<DeadLetter[]>;
  dispose(): Promise<void>;
}

export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const id = randomBytes(3).toString('hex');
  const dir = join(tmpdir(), 'tributary-faults', `${options.name}-${id}`);
  mkdirSync(dir, { recursive: true });
  // Should one server fail to start, the other is not left running.
  const [mariadb, redis] = await Promise.all([startMariaDb(), startRedis()]).catch(
    async (error: unknown) => {
      await killAllOwned();
      throw error;
    },
  );
  const databaseRelay = new TcpRelay('127.0.0.1', mariadb.port);
  const brokerRelay = new TcpRelay('127.0.0.1', redis.port);
  await Promise.all([databaseRelay.open(), brokerRelay.open()]);
  const database = `tributary_${options.name.replace(/\W/g, '_')}`;
  const databaseUrl = await mariadb.createDatabase(database, databaseRelay.port);
  const keyPrefix = `faults-${id}`;
  const keys = new RedisStreamsKeys(keyPrefix);
  const environment = 'faults';
  const configDir = writeConfigDir(
    join(dir, 'config'),
    environment,
    deepMerge(
      deepMerge(scaledTimings(options.timeScale ?? 20), BASE_SETTINGS),
      options.settings ?? {},
    ),
  );
  const apps: AppProcess[] = [];

  return {
    dir,
    mariadb,
    redis,
    databaseRelay,
    brokerRelay,
    database,
    keyPrefix,
    keys,
    apps,
    app: async (name, pipelines, env = {}) => {
      const app = await startAppProcess({
        entry: BUILT_APP,
        name,
        logDir: dir,
        env: {
          NODE_ENV: environment,
          CONFIG_DIR: configDir,
          LOG_LEVEL: 'warn',
          DATABASE_URL: databaseUrl,
          REDIS_URL: redis.url(brokerRelay.port),
          BUS_KEY_PREFIX: keyPrefix,
          PIPELINES: pipelines,
          ...env,
        },
      });
      apps.push(app);
      return app;
    },
    query: (sql, params) => mariadb.query(database, sql, params),
    deadLetters: async () => {
      const client = redis.client();
      const streams: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', keys.deadLetterPattern());
        cursor = next;
        streams.push(...found);
      } while (cursor !== '0');
      const entries = await Promise.all(
        streams.map((key) => client.xrange(key, '-', '+') as Promise<StreamEntry[]>),
      );
      return entries.flat().map(([entryId, fields]) => toDeadLetter(entryId, fields));
    },
    dispose: async () => {
      await Promise.all(apps.map((app) => app.kill()));
      await Promise.all([databaseRelay.cut(), brokerRelay.cut()]);
      await Promise.all([mariadb.dispose(), redis.dispose()]);
      // Whatever a failed start left running.
      await killAllOwned();
    },
  };
}
