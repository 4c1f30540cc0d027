import { describe, expect, it } from 'vitest';
import { runInBatches } from './batch-task.js';

/** A table of `rows` expired rows that a batch deletes `limit` of, recording each batch. */
function expiredRows(rows: number) {
  const batches: number[] = [];
  return {
    batches,
    batch: async (limit: number) => {
      const deleted = Math.min(limit, rows);
      rows -= deleted;
      batches.push(deleted);
      return deleted;
    },
  };
}

describe('runInBatches', () => {
  it('deletes batch after batch until a short one says nothing is left', async () => {
    const table = expiredRows(5);
    expect(await runInBatches(table.batch, 2, () => false)).toBe(5);
    expect(table.batches).toEqual([2, 2, 1]);
  });

  it('asks once more after a full last batch, and stops at the empty one', async () => {
    const table = expiredRows(4);
    expect(await runInBatches(table.batch, 2, () => false)).toBe(4);
    expect(table.batches).toEqual([2, 2, 0]);
  });

  it('stops after the batch in flight when the process is stopping', async () => {
    const table = expiredRows(10);
    let stopping = false;
    const purged = runInBatches(
      async (limit) => {
        const deleted = await table.batch(limit);
        stopping = table.batches.length === 2;
        return deleted;
      },
      2,
      () => stopping,
    );
    expect(await purged).toBe(4);
    expect(table.batches).toEqual([2, 2]);
  });
});
