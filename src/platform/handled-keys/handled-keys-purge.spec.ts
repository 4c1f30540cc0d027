import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSpecDatabase } from '../../../test/support/databases.js';
import { profileDatabases } from '../../../test/support/profiles.js';
import { sqlTimestamp } from '../persistence/sql-timestamp.js';
import { recurringTasksOf } from '../scheduling/recurring-task.js';
import { HandledKeysPurge } from './handled-keys-purge.js';
import { HandledKeys } from './handled-keys.js';

const HOUR = 3_600_000;

/**
 * The purge of the marks, on the real schema of both databases: the scheduled task deletes
 * the marks no delivery carried for the retention, in batches, and keeps the others, among
 * them an old mark a later delivery of its key touched.
 */
describe.each(profileDatabases)('the purge of handled keys on %s', (kind) => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let handled: HandledKeys;

  beforeAll(async () => {
    database = await openSpecDatabase(kind, []);
    handled = new HandledKeys(database.dataSource);
  });
  afterAll(() => database?.close());

  const pipeline = () => `spec-${randomBytes(4).toString('hex')}`;
  const markedAgo = async (name: string, key: string, ageMs: number) => {
    await handled.once(name, key, async () => {});
    await database.dataSource.query(
      'UPDATE handled_keys SET handled_at = ? WHERE pipeline = ? AND handled_key = ?',
      [sqlTimestamp(new Date(Date.now() - ageMs)), name, key],
    );
  };
  const keysOf = async (name: string) =>
    (
      (await database.dataSource.query(
        'SELECT handled_key FROM handled_keys WHERE pipeline = ? ORDER BY handled_key',
        [name],
      )) as { handled_key: string }[]
    ).map((row) => row.handled_key);

  /** One run of the scheduled task, as an operator's "run now" does it. */
  const runPurge = async (retentionMs: number, batchSize: number) => {
    const registry = new SchedulerRegistry();
    const purge = new HandledKeysPurge(
      { retentionMs, purge: { intervalMs: HOUR, batchSize } },
      handled,
      registry,
    );
    purge.onApplicationBootstrap();
    try {
      const [task] = recurringTasksOf(registry);
      expect(task.name).toBe('handled-keys-purge');
      await task.runOnce('manual');
      expect(task.lastRuns()[0].outcome).toBe('succeeded');
    } finally {
      await purge.onModuleDestroy();
    }
  };

  it('deletes the marks past the retention, batch after batch, and keeps the recent ones', async () => {
    const name = pipeline();
    for (const key of ['old-1', 'old-2', 'old-3', 'old-4', 'old-5']) {
      await markedAgo(name, key, 48 * HOUR);
    }
    await markedAgo(name, 'recent-1', HOUR);
    await handled.once(name, 'recent-2', async () => {});
    // Two per DELETE: the five old ones take three, all in one run.
    await runPurge(24 * HOUR, 2);
    expect(await keysOf(name)).toEqual(['recent-1', 'recent-2']);
    expect(await handled.handled(name, 'old-1')).toBe(false);
  });

  it('deletes at most a batch per statement', async () => {
    const name = pipeline();
    for (const key of ['a', 'b', 'c']) await markedAgo(name, key, 48 * HOUR);
    const cutoff = new Date(Date.now() - 24 * HOUR);
    // Marks of other specs' pipelines may be past the cutoff too: count this pipeline's.
    while ((await keysOf(name)).length === 3) {
      expect(await handled.purgeOlderThan(cutoff, 1)).toBe(1);
    }
    expect(await keysOf(name)).toHaveLength(2);
  });

  it('keeps an old mark that a later delivery of its key touched: the retention counts from the last one', async () => {
    const name = pipeline();
    await markedAgo(name, 'republished', 48 * HOUR);
    // The outbox publishes the purchase again: skipped, and its mark is kept from now on.
    expect(await handled.once(name, 'republished', async () => {})).toBe(false);
    await runPurge(24 * HOUR, 100);
    expect(await keysOf(name)).toEqual(['republished']);
  });
});
