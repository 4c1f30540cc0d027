import type { DataSource } from 'typeorm';

export interface FailingUpdates {
  /** UPDATEs of this row (by its key) to the watched value fail from now on. */
  fail(key: string): Promise<void>;
  /** ... and succeed again. */
  heal(key: string): Promise<void>;
}

/**
 * A fault in the database itself, on MySQL/MariaDB and SQLite alike: a BEFORE UPDATE trigger
 * on `table` raises an error when a row whose `keyColumn` a spec listed is set to `value` in
 * `column` (a delivery recorded as sent, a record as succeeded), so that exactly that write
 * fails, as a database blip or a poison record would make it, while every other one works.
 * `name` names the trigger and the table of listed keys.
 */
export async function failingUpdates(
  db: DataSource,
  spec: { name: string; table: string; keyColumn: string; column: string; value: string },
): Promise<FailingUpdates> {
  const { name, table, keyColumn, column, value } = spec;
  const keys = `${name}_keys`;
  await db.query(`CREATE TABLE ${keys} (k varchar(191) PRIMARY KEY)`);
  const when = `NEW.${column} = '${value}' AND NEW.${keyColumn} IN (SELECT k FROM ${keys})`;
  await db.query(
    db.options.type === 'mysql'
      ? `CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} FOR EACH ROW BEGIN IF ${when} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${name}'; END IF; END`
      : `CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} FOR EACH ROW WHEN ${when} BEGIN SELECT RAISE(ABORT, '${name}'); END`,
  );
  return {
    fail: async (key) => void (await db.query(`INSERT INTO ${keys} (k) VALUES (?)`, [key])),
    heal: async (key) => void (await db.query(`DELETE FROM ${keys} WHERE k = ?`, [key])),
  };
}
