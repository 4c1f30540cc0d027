import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertIgnoringRows, placeholders, upsertRows } from './multi-row.js';

describe('multi-row statements (SQLite dialect; the MySQL one runs in the import-flow e2e spec)', () => {
  let db: DataSource;
  const columns = ['k', 'v', 'n'];
  const rows = async () =>
    (await db.query('SELECT k, v, n FROM t ORDER BY k')) as { k: string; v: string; n: number }[];

  beforeAll(async () => {
    db = await new DataSource({ type: 'better-sqlite3', database: ':memory:' }).initialize();
  });
  afterAll(() => db.destroy());

  it('upserts: new keys are added, known keys get the update columns, others are kept', async () => {
    await db.query('CREATE TABLE t (k varchar(10) PRIMARY KEY, v varchar(10), n int)');
    await upsertRows(
      db,
      't',
      columns,
      [
        ['a', 'one', 1],
        ['b', 'two', 2],
      ],
      ['k'],
      ['v', 'n'],
    );
    await upsertRows(
      db,
      't',
      columns,
      [
        ['b', 'TWO', 20],
        ['c', 'three', 3],
      ],
      ['k'],
      ['v'],
    );
    expect(await rows()).toEqual([
      { k: 'a', v: 'one', n: 1 },
      { k: 'b', v: 'TWO', n: 2 },
      { k: 'c', v: 'three', n: 3 },
    ]);
  });

  it('inserts while ignoring rows whose key exists', async () => {
    await insertIgnoringRows(db, 't', columns, [
      ['a', 'changed', 9],
      ['d', 'four', 4],
    ]);
    expect((await rows()).map((r) => `${r.k}=${r.v}`)).toEqual([
      'a=one',
      'b=TWO',
      'c=three',
      'd=four',
    ]);
  });

  it('splits a batch bigger than SQLite binds in one statement', async () => {
    await db.query('DELETE FROM t');
    const many = Array.from({ length: 12_000 }, (_, i) => [`k${i}`, 'v', i]);
    await insertIgnoringRows(db, 't', columns, many);
    await upsertRows(
      db,
      't',
      columns,
      many.map(([k, , n]) => [k, 'w', n]),
      ['k'],
      ['v'],
    );
    const [{ total, updated }] = (await db.query(
      `SELECT COUNT(*) AS total, SUM(v = 'w') AS updated FROM t`,
    )) as { total: number; updated: number }[];
    expect({ total, updated }).toEqual({ total: 12_000, updated: 12_000 });
  });

  it('writes placeholder lists', () => {
    expect(placeholders(1)).toBe('?');
    expect(placeholders(3)).toBe('?,?,?');
  });
});
