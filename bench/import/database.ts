import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createConnection, type Connection } from 'mysql2/promise';

export const MYSQL_URL = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(
  /\/$/,
  '',
);

/** A throw-away database of the bench run, dropped by `drop()`. */
export interface BenchDatabase {
  name: string;
  url: string;
  /** A connection of the bench's own (UTC, like the application), not from the app's pool. */
  connection: Connection;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `tributary_bench_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: MYSQL_URL });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = `${MYSQL_URL}/${name}`;
  const connection = await createConnection({ uri: url, timezone: 'Z' });
  return {
    name,
    url,
    connection,
    drop: async () => {
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}

/** The source record `id` of the bench: what the business rule accepts. */
export function sourceRow(id: number): [number, string, string, string] {
  return [id, `Customer ${id}`, `customer${id}@example.com`, ((id % 100_000) * 1.25).toFixed(2)];
}

/** Fills `table` (id, name, email, amount) with rows 1..count in multi-row INSERTs over two connections. */
export async function fillSource(url: string, table: string, count: number): Promise<void> {
  const setup = await createConnection({ uri: url });
  await setup.query(
    `CREATE TABLE ${table} (id int PRIMARY KEY, name varchar(200), email varchar(254), amount decimal(12,2))`,
  );
  await setup.end();
  const rowsPerInsert = 2000;
  let next = 1;
  const worker = async () => {
    const conn = await createConnection({ uri: url });
    try {
      while (next <= count) {
        const from = next;
        const to = Math.min(count, from + rowsPerInsert - 1);
        next = to + 1;
        const values: unknown[] = [];
        for (let id = from; id <= to; id++) values.push(...sourceRow(id));
        await conn.query(
          `INSERT INTO ${table} (id, name, email, amount) VALUES ${'(?,?,?,?),'.repeat(to - from).concat('(?,?,?,?)')}`,
          values,
        );
      }
    } finally {
      await conn.end();
    }
  };
  await Promise.all([worker(), worker()]);
}

/**
 * The baseline: MariaDB's raw ingest of the same `count` target rows, one connection, 500-row
 * multi-row INSERTs one after the other, into a table shaped like the import target.
 */
export async function rawBatchInsert(
  count: number,
): Promise<{ rows: number; seconds: number; perSecond: number }> {
  const db = await createBenchDatabase();
  try {
    await db.connection.query(
      `CREATE TABLE raw_target (source varchar(100) NOT NULL, record_key varchar(150) NOT NULL, name varchar(200) NOT NULL,
        email varchar(254) NOT NULL, amount_cents bigint NOT NULL, import_id varchar(36) NOT NULL, updated_at datetime(3) NOT NULL,
        PRIMARY KEY (source, record_key))`,
    );
    const importId = '00000000-0000-4000-8000-000000000000';
    const started = performance.now();
    for (let from = 1; from <= count; from += 500) {
      const to = Math.min(count, from + 499);
      const values: unknown[] = [];
      const now = new Date();
      for (let id = from; id <= to; id++) {
        const [, name, email, amount] = sourceRow(id);
        values.push(
          'bench',
          String(id),
          name,
          email,
          Math.round(Number(amount) * 100),
          importId,
          now,
        );
      }
      await db.connection.query(
        `INSERT INTO raw_target (source, record_key, name, email, amount_cents, import_id, updated_at) VALUES ` +
          Array.from({ length: to - from + 1 }, () => '(?,?,?,?,?,?,?)').join(','),
        values,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    return { rows: count, seconds, perSecond: count / seconds };
  } finally {
    await db.drop();
  }
}

/**
 * CPU time (µs) the database server has used so far, read from /proc for the pid in its
 * pid file: the bench's servers run on this machine (loopback only). Null when that cannot be
 * read (another host, no /proc), and the report then shows a dash.
 */
export async function databaseCpuMicros(connection: Connection): Promise<number | null> {
  try {
    const [[row]] = (await connection.query('SELECT @@pid_file AS file')) as unknown as [
      { file: string }[],
    ];
    const pid = (await readFile(row!.file, 'utf8')).trim();
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return null;
  }
}
