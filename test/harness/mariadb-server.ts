import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { awaitReady } from './await-ready.js';
import { freePort } from './free-ports.js';
import { type OwnedProcess, ownFolder, removeFolder, spawnOwned } from './owned-processes.js';

/** A MariaDB server of the harness's own: its datadir, socket, port and pid file in a temp dir. */
export interface MariaDbServer {
  readonly port: number;
  /** The folder of its datadir, socket, pid file and logs. */
  readonly dir: string;
  /** `mysql://root@127.0.0.1:<port>/<database>` (no database: the server). */
  url(database?: string, port?: number): string;
  /** Creates a database (utf8mb4) and answers its URL; `port` names a relay in front instead. */
  createDatabase(name: string, port?: number): Promise<string>;
  /** Runs one statement on `database` through the harness's own pool (not through a relay). */
  query<T = unknown>(database: string, sql: string, params?: unknown[]): Promise<T>;
  /** Stops the server (SIGTERM, by PID); the datadir stays, for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port and datadir, after `stop()`. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

const run = promisify(execFile);

/**
 * Initialises a datadir with `mariadb-install-db` and starts `mariadbd` on a free port, never
 * the machine's own server (3306), which is shared and never stopped. root has no password
 * and only 127.0.0.1 is bound. As root, `--user=root` is needed: mariadbd refuses to run as
 * root otherwise. The redo log is small (the datadir stays ~30 MB) and commits flush the log
 * once a second: the faults under test are the app's, and the server itself is never crashed.
 */
export async function startMariaDb(): Promise<MariaDbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-mariadb-'));
  ownFolder(dir);
  const datadir = join(dir, 'data');
  const port = await freePort();
  const user = process.getuid?.() === 0 ? ['--user=root'] : [];
  const common = ['--no-defaults', `--datadir=${datadir}`, '--innodb-log-file-size=16M', ...user];
  await run('mariadb-install-db', [
    ...common,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
  ]);
  const logFile = join(dir, 'mariadbd.log');
  let server: OwnedProcess | undefined;
  const pools = new Map<string, Pool>();

  const url = (database = '', at = port) => `mysql://root@127.0.0.1:${at}/${database}`;
  const start = async () => {
    server = spawnOwned(
      `mariadbd :${port}`,
      'mariadbd',
      [
        ...common,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'mariadbd.sock')}`,
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        '--skip-name-resolve',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=256M',
        '--innodb-flush-log-at-trx-commit=2',
        '--max-connections=500',
      ],
      { logFile },
    );
    await awaitReady(server, async () => {
      const connection = await createConnection({ uri: url(), connectTimeout: 1000 });
      await connection.end();
      return true;
    });
  };
  const closePools = async () => {
    await Promise.all([...pools.values()].map((pool) => pool.end().catch(() => undefined)));
    pools.clear();
  };
  const stop = async () => {
    await closePools();
    await server?.stop(30_000);
  };
  const poolOf = (database: string): Pool => {
    let pool = pools.get(database);
    if (!pool) {
      pool = createPool({ uri: url(database), connectionLimit: 4 });
      pools.set(database, pool);
    }
    return pool;
  };

  await start();
  return {
    port,
    dir,
    url,
    createDatabase: async (name, at) => {
      await poolOf('').query(
        `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      return url(name, at);
    },
    query: async <T>(database: string, sql: string, params: unknown[] = []) =>
      (await poolOf(database).query(sql, params))[0] as T,
    stop,
    start,
    dispose: async () => {
      await stop();
      removeFolder(dir);
    },
  };
}
