import type { DataSource } from 'typeorm';

/**
 * Plain multi-row statements for the hot paths that run once per batch of records. TypeORM's
 * query builder names every value a parameter (`:orm_param_n`) and rewrites the SQL for each:
 * at a few hundred rows a batch that cost more CPU than the database spent on the statement.
 * These helpers write `?` placeholders directly; each works on MySQL/MariaDB and SQLite.
 * Table and column names must be identifiers the caller controls (never input).
 */
export const placeholders = (count: number): string =>
  count === 1 ? '?' : `?${',?'.repeat(count - 1)}`;

/**
 * `INSERT … VALUES (…),(…)` that updates `update` columns of rows whose `key` columns exist
 * already (ON DUPLICATE KEY UPDATE on MySQL, ON CONFLICT … DO UPDATE on SQLite).
 */
export async function upsertRows(
  dataSource: DataSource,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  key: readonly string[],
  update: readonly string[],
): Promise<void> {
  const q = (name: string) => dataSource.driver.escape(name);
  const row = `(${placeholders(columns.length)})`;
  const onConflict =
    dataSource.options.type === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${update.map((c) => `${q(c)} = VALUES(${q(c)})`).join(', ')}`
      : `ON CONFLICT (${key.map(q).join(', ')}) DO UPDATE SET ${update.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`;
  for (const chunk of chunks(rows, columns.length)) {
    const values = `${row}${`,${row}`.repeat(chunk.length - 1)}`;
    await dataSource.query(
      `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${values} ${onConflict}`,
      chunk.flat(),
    );
  }
}

/** `INSERT … VALUES (…),(…)` that skips rows whose key exists already (INSERT IGNORE / INSERT OR IGNORE). */
export async function insertIgnoringRows(
  dataSource: DataSource,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  const q = (name: string) => dataSource.driver.escape(name);
  const row = `(${placeholders(columns.length)})`;
  const verb = dataSource.options.type === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
  for (const chunk of chunks(rows, columns.length)) {
    await dataSource.query(
      `${verb} INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${row}${`,${row}`.repeat(chunk.length - 1)}`,
      chunk.flat(),
    );
  }
}

/** Runs an UPDATE or DELETE and resolves with the number of rows it changed, on either database. */
export async function affectedRows(
  dataSource: DataSource,
  sql: string,
  parameters: readonly unknown[],
): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    return (await runner.query(sql, [...parameters], true)).affected ?? 0;
  } finally {
    await runner.release();
  }
}

/** SQLite binds at most 32,766 values a statement: big batches go out in several. */
function chunks<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(30_000 / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
