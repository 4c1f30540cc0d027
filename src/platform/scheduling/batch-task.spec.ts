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
  it('deletes batch after batch until an empty one says nothing is left', async () => {
    const table = expiredRows(5);
    expect(await runInBatches(table.batch, 2, () => false)).toBe(5);
    expect(table.batches).toEqual([2, 2, 1, 0]);
  });

  it('goes on after a batch another replica shared, which comes back short', async () => {
    let rows = 7;
    const batches: number[] = [];
    // Of each batch this process finds, another replica deletes one row first (while any).
    const shared = async (limit: number) => {
      const found = Math.min(limit, rows);
      const takenElsewhere = Math.min(1, found);
      rows -= found;
      batches.push(found - takenElsewhere);
      return found - takenElsewhere;
    };
    expect(await runInBatches(shared, 3, () => false)).toBe(4);
    expect(batches).toEqual([2, 2, 0]);
    expect(rows).toBe(0);
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
