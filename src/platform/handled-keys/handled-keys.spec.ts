import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSpecDatabase } from '../../../test/support/databases.js';
import { profileDatabases } from '../../../test/support/profiles.js';
import { HandledKeys } from './handled-keys.js';

/**
 * A subscriber's writes and the mark of the business key it handled go in one transaction, on
 * the real schema of both databases: each key is handled once per pipeline, whatever the
 * deliveries, and a failed handling leaves no mark.
 */
describe.each(profileDatabases)('handled keys on %s', (kind) => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let handled: HandledKeys;

  beforeAll(async () => {
    database = await openSpecDatabase(kind, []);
    await database.dataSource.query(
      'CREATE TABLE spec_points (purchase_id VARCHAR(64) NOT NULL, points INT NOT NULL)',
    );
    handled = new HandledKeys(database.dataSource);
  });
  afterAll(() => database?.close());

  const newKey = () => `p-${randomBytes(4).toString('hex')}`;
  const award = (pipeline: string, key: string, work = async () => {}) =>
    handled.once(pipeline, key, async (manager) => {
      await manager.query('INSERT INTO spec_points (purchase_id, points) VALUES (?, ?)', [key, 10]);
      await work();
    });
  const rowsOf = async (key: string) =>
    (
      (await database.dataSource.query('SELECT points FROM spec_points WHERE purchase_id = ?', [
        key,
      ])) as unknown[]
    ).length;

  it('runs the work for a new key, then skips it for every later delivery of that key', async () => {
    const key = newKey();
    expect(await award('loyalty', key)).toBe(true);
    // A redelivery, or the outbox's republish under a new event id: same business key.
    expect(await award('loyalty', key)).toBe(false);
    expect(await award('loyalty', key)).toBe(false);
    expect(await rowsOf(key)).toBe(1);
    expect(await handled.handled('loyalty', key)).toBe(true);
  });

  it('leaves no mark when the work fails, so that the next delivery does it', async () => {
    const key = newKey();
    await expect(
      award('loyalty', key, async () => {
        throw new Error('the database refused the second write');
      }),
    ).rejects.toThrow('refused');
    expect(await handled.handled('loyalty', key)).toBe(false);
    expect(await rowsOf(key)).toBe(0);
    expect(await award('loyalty', key)).toBe(true);
    expect(await rowsOf(key)).toBe(1);
  });

  it('marks keys per pipeline: another pipeline handles the same key on its own', async () => {
    const key = newKey();
    expect(await award('loyalty', key)).toBe(true);
    expect(await award('cashback', key)).toBe(true);
    expect(await rowsOf(key)).toBe(2);
  });

  it('runs the work once for deliveries of one key at the same time', async () => {
    const key = newKey();
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => award('loyalty', key)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await rowsOf(key)).toBe(1);
  });

  it('refuses a key its index cannot hold', () => {
    expect(() => handled.once('loyalty', 'k'.repeat(192), async () => {})).toThrow(RangeError);
    expect(() => handled.once('loyalty', '', async () => {})).toThrow(RangeError);
  });
});
