import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis, type RedisOptions, ReplyError } from 'ioredis';
import { createConnection as createCallbackConnection } from 'mysql2';
import { createConnection, createPool } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL_URL } from '../../../test/support/databases.js';
import { REDIS_URL } from '../../../test/support/profiles.js';
import { freePort } from '../../../test/harness/free-ports.js';
import { type RedisServer, startRedis } from '../../../test/harness/redis-server.js';
import { TcpRelay } from '../../../test/harness/tcp-relay.js';
import { connectWithin } from '../redis/redis-connection.js';
import { outageOf } from './outage.js';

/** The error a promise rejects with (the spec fails if it fulfils). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

const relayTo = (url: string) => {
  const { hostname, port } = new URL(url);
  return new TcpRelay(hostname, Number(port));
};

describe('outages of the database (MariaDB, behind a relay)', () => {
  const database = `tributary_outage_${randomBytes(4).toString('hex')}`;
  const url = (port?: number) => {
    const server = new URL(MYSQL_URL);
    if (port) server.port = String(port);
    server.hostname = port ? '127.0.0.1' : server.hostname;
    return `${server.toString().replace(/\/$/, '')}/${database}`;
  };

  beforeAll(async () => {
    const admin = await createConnection({ uri: MYSQL_URL });
    await admin.query(`CREATE DATABASE \`${database}\``);
    await admin.query(
      `CREATE TABLE \`${database}\`.items (id INT PRIMARY KEY, name VARCHAR(4) NOT NULL)`,
    );
    await admin.end();
  });
  afterAll(async () => {
    const admin = await createConnection({ uri: MYSQL_URL });
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });

  it('a connection lost to a cut relay, then refused while it stays cut, through TypeORM', async () => {
    const relay = relayTo(MYSQL_URL);
    await relay.open();
    const source = await new DataSource({
      type: 'mysql',
      url: url(relay.port),
      extra: { connectionLimit: 2 },
    }).initialize();
    try {
      await source.query('SELECT 1');
      await relay.cut();
      const lost = await failure(source.query('SELECT 1'));
      const refused = await failure(source.query('SELECT 1'));
      for (const error of [lost, refused])
        expect(outageOf(error)).toEqual({
          dependency: 'database',
          cause: expect.stringMatching(/^(PROTOCOL_CONNECTION_LOST|ECONNREFUSED)$/),
        });
      expect(outageOf(refused)).toEqual({ dependency: 'database', cause: 'ECONNREFUSED' });
      // In a transaction the connection is asked for first: the same failure, unwrapped.
      expect(outageOf(await failure(source.transaction((m) => m.query('SELECT 1'))))).toEqual({
        dependency: 'database',
        cause: 'ECONNREFUSED',
      });
    } finally {
      await relay.open();
      await source.destroy();
      await relay.cut();
    }
  });

  it('a command on a connection the server side closed, a closed pool, a destroyed data source', async () => {
    const relay = relayTo(MYSQL_URL);
    await relay.open();
    const connection = createCallbackConnection({ uri: url(relay.port) });
    await new Promise((resolve, reject) => connection.connect((e) => (e ? reject(e) : resolve(e))));
    const ended = new Promise((resolve) => connection.once('error', resolve));
    await relay.cut();
    await ended;
    const closed = await new Promise((resolve) => connection.query('SELECT 1', resolve));
    expect(outageOf(closed)).toEqual({ dependency: 'database', cause: 'connection closed' });

    const pool = createPool({ uri: url() });
    await pool.end();
    expect(outageOf(await failure(pool.query('SELECT 1')))).toEqual({
      dependency: 'database',
      cause: 'pool closed',
    });

    const source = await new DataSource({ type: 'mysql', url: url() }).initialize();
    await source.destroy();
    expect(outageOf(await failure(source.query('SELECT 1')))).toEqual({
      dependency: 'database',
      cause: 'not connected',
    });
  });

  it('what the statement or its data causes is not an outage, even wrapped by TypeORM', async () => {
    const source = await new DataSource({ type: 'mysql', url: url() }).initialize();
    try {
      await source.query(`INSERT INTO items VALUES (1, 'a')`);
      const errors = [
        await failure(source.query(`INSERT INTO items VALUES (1, 'b')`)), // ER_DUP_ENTRY
        await failure(source.query(`INSERT INTO items VALUES (2, 'too long')`)), // ER_DATA_TOO_LONG
        await failure(source.query(`INSERT INTO items VALUES (3, NULL)`)), // ER_BAD_NULL_ERROR
        await failure(source.query('SELEC 1')), // ER_PARSE_ERROR
        await failure(source.query('SELECT * FROM missing')), // ER_NO_SUCH_TABLE
      ];
      expect(errors.map((e) => (e as { code: string }).code)).toEqual([
        'ER_DUP_ENTRY',
        'ER_DATA_TOO_LONG',
        'ER_BAD_NULL_ERROR',
        'ER_PARSE_ERROR',
        'ER_NO_SUCH_TABLE',
      ]);
      for (const error of errors) expect(outageOf(error)).toBeUndefined();
    } finally {
      await source.destroy();
    }
    // Refused credentials are a configuration error, not an outage.
    const wrongUser = new URL(url());
    wrongUser.username = `nobody_${randomBytes(3).toString('hex')}`;
    const denied = await failure(createConnection({ uri: wrongUser.toString() }));
    expect(denied).toMatchObject({ code: expect.stringMatching(/^ER_ACCESS_DENIED/) });
    expect(outageOf(denied)).toBeUndefined();
  });

  it('a read-only server during a failover (as MariaDB --read-only and MySQL super_read_only answer)', () => {
    // A shared server cannot be made read-only for one spec: these are the drivers' shapes.
    const readOnly = Object.assign(
      new Error(
        'The MariaDB server is running with the --read-only option so it cannot execute this statement',
      ),
      { code: 'ER_OPTION_PREVENTS_STATEMENT', errno: 1290, sqlState: 'HY000' },
    );
    const readOnlyMode = Object.assign(new Error('Running in read-only mode'), {
      code: 'ER_READ_ONLY_MODE',
      errno: 1836,
    });
    expect(outageOf({ name: 'QueryFailedError', driverError: readOnly })).toEqual({
      dependency: 'database',
      cause: 'ER_OPTION_PREVENTS_STATEMENT (read-only)',
    });
    expect(outageOf(readOnlyMode)).toEqual({ dependency: 'database', cause: 'ER_READ_ONLY_MODE' });
    // The same errno for another option is about the statement, not a failover.
    const securePriv = Object.assign(
      new Error(
        'The MariaDB server is running with the --secure-file-priv option so it cannot execute this statement',
      ),
      { code: 'ER_OPTION_PREVENTS_STATEMENT', errno: 1290 },
    );
    expect(outageOf(securePriv)).toBeUndefined();
  });
});

describe('outages of the database (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-outage-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('busy while another connection holds the write lock, through TypeORM', async () => {
    const file = join(dir, 'busy.sqlite');
    const open = (timeout?: number) =>
      new DataSource({
        type: 'better-sqlite3',
        database: file,
        enableWAL: true,
        timeout,
      }).initialize();
    const holder = await open();
    const source = await open(0);
    try {
      await holder.query('CREATE TABLE items (id INTEGER PRIMARY KEY)');
      await holder.query('BEGIN IMMEDIATE');
      expect(outageOf(await failure(source.query('INSERT INTO items VALUES (1)')))).toEqual({
        dependency: 'database',
        cause: 'SQLITE_BUSY',
      });
      await holder.query('COMMIT');
      await source.query('INSERT INTO items VALUES (1)');
      const duplicate = await failure(source.query('INSERT INTO items VALUES (1)'));
      expect(duplicate).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
      expect(outageOf(duplicate)).toBeUndefined();
    } finally {
      await Promise.all([holder.destroy(), source.destroy()]);
    }
  });
});

describe('outages of the broker (Redis)', () => {
  let master: RedisServer;
  let replica: RedisServer;
  let orphan: RedisServer;
  const clients: Redis[] = [];
  const client = (url: string, options: RedisOptions = {}) => {
    const redis = new Redis(url, { lazyConnect: true, ...options });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };

  beforeAll(async () => {
    master = await startRedis();
    replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    // A replica whose master never answers, and which refuses to serve stale data.
    orphan = await startRedis({
      args: [
        '--replicaof',
        '127.0.0.1',
        String(await freePort()),
        '--replica-serve-stale-data',
        'no',
      ],
    });
  });
  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
    await Promise.all([replica?.dispose(), orphan?.dispose()]);
    await master?.dispose();
  });

  it('a replica refuses writes (READONLY), one without its master refuses reads (MASTERDOWN)', async () => {
    const readOnly = await failure(client(replica.url()).xadd('s', '*', 'envelope', '{}'));
    expect(readOnly).toBeInstanceOf(ReplyError);
    expect(outageOf(readOnly)).toEqual({ dependency: 'broker', cause: 'READONLY' });
    const masterDown = await failure(client(orphan.url()).get('k'));
    expect(outageOf(masterDown)).toEqual({ dependency: 'broker', cause: 'MASTERDOWN' });
    // What a command gets wrong is not an outage.
    const redis = client(master.url());
    await redis.set('k', 'v');
    const wrongType = await failure(redis.xadd('k', '*', 'a', 'b'));
    expect(String(wrongType)).toMatch(/WRONGTYPE/);
    expect(outageOf(wrongType)).toBeUndefined();
  });

  it('commands that outlive their reconnection attempts, meet a closed connection, or find it offline', async () => {
    const relay = relayTo(REDIS_URL);
    await relay.open();
    const retrying = client(`redis://127.0.0.1:${relay.port}`, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 20,
    });
    await retrying.connect();
    await relay.cut();
    expect(outageOf(await failure(retrying.get('k')))).toEqual({
      dependency: 'broker',
      cause: 'MaxRetriesPerRequestError',
    });
    expect(
      outageOf(await failure(connectWithin(retrying, `redis://127.0.0.1:${relay.port}`, 50))),
    ).toEqual({ dependency: 'broker', cause: 'no answer' });

    const closed = client(master.url());
    await closed.connect();
    closed.disconnect();
    expect(outageOf(await failure(closed.get('k')))).toEqual({
      dependency: 'broker',
      cause: 'connection closed',
    });
    const offline = client(master.url(), { enableOfflineQueue: false });
    expect(outageOf(await failure(offline.get('k')))).toEqual({
      dependency: 'broker',
      cause: 'offline',
    });
  });

  it('a Cluster client whose startup nodes all refuse, or a connection refused', async () => {
    const port = await freePort();
    const cluster = new Cluster([{ host: '127.0.0.1', port }], {
      lazyConnect: true,
      clusterRetryStrategy: () => null,
    });
    cluster.on('error', () => undefined);
    try {
      expect(outageOf(await failure(cluster.get('k')))).toEqual({
        dependency: 'broker',
        cause: 'no cluster node',
      });
    } finally {
      cluster.disconnect();
    }
    // ioredis reports a refused connection to the command as its connection closing.
    const refused = client(`redis://127.0.0.1:${port}`, { retryStrategy: () => null });
    expect(outageOf(await failure(refused.connect()))).toEqual({
      dependency: 'broker',
      cause: 'connection closed',
    });
  });

  it('a Cluster failing over or resharding, a Cluster or Sentinel group unreachable (the errors as ioredis makes them)', () => {
    // Each needs a topology in a given bad state for seconds: the errors as ioredis builds them.
    const allFailed = Object.assign(new Error('Failed to refresh slots cache.'), {
      name: 'ClusterAllFailedError',
    });
    const cases: [Error, string][] = [
      [
        new Error('Too many Cluster redirections. Last error: MOVED 3999 127.0.0.1:7001'),
        'MOVED storm',
      ],
      [allFailed, 'ClusterAllFailedError'],
      [
        new Error(
          'All sentinels are unreachable. Retrying from scratch after 10ms. Last error: Connection is closed.',
        ),
        'sentinels unreachable',
      ],
    ];
    for (const [error, cause] of cases)
      expect(outageOf(error)).toEqual({ dependency: 'broker', cause });
    // A MOVED reply alone is routing, which ioredis follows: not an outage.
    expect(outageOf(new ReplyError('MOVED 3999 127.0.0.1:7001'))).toBeUndefined();
  });

  it('a server loading its data, a cluster down or resharding (the replies Redis sends)', () => {
    // Loading needs a large dataset and a cluster six servers: the replies as ioredis makes them.
    for (const reply of [
      'LOADING Redis is loading the dataset in memory',
      'CLUSTERDOWN The cluster is down',
      'TRYAGAIN Multiple keys request during rehashing of slot',
    ]) {
      expect(outageOf(new ReplyError(reply))).toEqual({
        dependency: 'broker',
        cause: reply.split(' ')[0],
      });
    }
  });
});

describe('failures that are not the pipeline’s own dependencies', () => {
  it('a peer refusing a connection (fetch, http) is the peer’s failure, wrapped or not', async () => {
    const port = await freePort();
    const fetched = await failure(fetch(`http://127.0.0.1:${port}/`));
    expect((fetched as Error & { cause: { code: string } }).cause.code).toBe('ECONNREFUSED');
    const requested = await failure(
      new Promise((resolve, reject) =>
        request(`http://127.0.0.1:${port}/`).on('error', reject).on('response', resolve).end(),
      ),
    );
    expect(requested).toMatchObject({ code: 'ECONNREFUSED' });
    const wrapped = new Error('notification service unavailable', { cause: fetched });
    for (const error of [fetched, requested, wrapped]) expect(outageOf(error)).toBeUndefined();
  });

  it('looks through cause chains and AggregateErrors for the database or broker beneath', async () => {
    const port = await freePort();
    const refused = await failure(
      createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 }),
    );
    const wrapped = new Error('recording the outcome failed', {
      cause: new Error('in the store', { cause: refused }),
    });
    expect(outageOf(wrapped)).toEqual({ dependency: 'database', cause: 'ECONNREFUSED' });
    expect(outageOf(new AggregateError([new Error('other'), refused]))).toEqual({
      dependency: 'database',
      cause: 'ECONNREFUSED',
    });
    expect(outageOf(undefined)).toBeUndefined();
    expect(outageOf('ECONNREFUSED')).toBeUndefined();
  });
});
