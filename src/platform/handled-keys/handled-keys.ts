import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { inTransaction } from '../persistence/in-transaction.js';
import { affectedRows } from '../persistence/multi-row.js';
import { sqlTimestamp } from '../persistence/sql-timestamp.js';

/** Where the marks are kept: one row per pipeline and business key it handled. */
export const HANDLED_KEYS_TABLE = 'handled_keys';

/** The longest business key: an index on it stays within MySQL's limit (utf8mb4). */
export const MAX_HANDLED_KEY_LENGTH = 191;

/**
 * Idempotent subscribers. The bus delivers at least once, and the same fact may come in
 * several events (the purchase outbox republishes `purchase.completed` under a new event id):
 * a subscriber that writes must recognise what it already handled by the business key of the
 * fact (a purchase id, a record key), never by the event id. {@link once} writes the mark of
 * the key in the same transaction as the handler's own writes: both are there, or neither,
 * and the next delivery tries again. A mark's `handled_at` is when a delivery last carried its
 * key (the first, then each one skipped): the purge ({@link purgeOlderThan}) deletes the marks
 * no delivery carried for `handledKeys.retentionMs`, so a fact that keeps coming back (a
 * purchase republished while its senders are down) keeps its mark.
 */
@Injectable()
export class HandledKeys {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` unless `pipeline` already handled `key`, in one transaction with the mark:
   * write through `manager`, which is that transaction. Resolves with whether `work` ran. Two
   * deliveries at once run it once: the second waits for the first one's mark, and skips,
   * moving the mark's `handled_at` to now.
   * Keep `work` to database writes: a call to another service would be repeated when the
   * transaction fails after it.
   */
  once(
    pipeline: string,
    key: string,
    work: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    if (key.length === 0 || key.length > MAX_HANDLED_KEY_LENGTH) {
      throw new RangeError(
        `a handled key has 1 to ${MAX_HANDLED_KEY_LENGTH} characters, not ${key.length}`,
      );
    }
    const ran = inTransaction(this.dataSource, async (manager) => {
      if (!(await this.mark(manager, pipeline, key))) return false;
      await work(manager);
      return true;
    });
    return ran.then(async (done) => {
      if (!done) await this.touch(pipeline, key);
      return done;
    });
  }

  /** Whether `pipeline` handled `key`. */
  async handled(pipeline: string, key: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM ${HANDLED_KEYS_TABLE} WHERE pipeline = ? AND handled_key = ?`,
      [pipeline, key],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Deletes up to `limit` marks that no delivery carried since `cutoff`, oldest first, in one
   * statement through the `handled_at` index; returns how many. A mark a delivery touches
   * meanwhile is newer than `cutoff` by then, and stays.
   */
  async purgeOlderThan(cutoff: Date, limit: number): Promise<number> {
    // MySQL deletes with ORDER BY and LIMIT; SQLite (without its LIMIT option) through rowids.
    const statement =
      this.dataSource.options.type === 'mysql'
        ? `DELETE FROM ${HANDLED_KEYS_TABLE} WHERE handled_at < ? ORDER BY handled_at LIMIT ?`
        : `DELETE FROM ${HANDLED_KEYS_TABLE} WHERE rowid IN (SELECT rowid FROM ${HANDLED_KEYS_TABLE} WHERE handled_at < ? ORDER BY handled_at LIMIT ?)`;
    return affectedRows(this.dataSource, statement, [sqlTimestamp(cutoff), limit]);
  }

  /** Inserts the mark; false when it was there (INSERT IGNORE / INSERT OR IGNORE). */
  private async mark(manager: EntityManager, pipeline: string, key: string): Promise<boolean> {
    const verb = this.dataSource.options.type === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const result = await manager.queryRunner!.query(
      `${verb} INTO ${HANDLED_KEYS_TABLE} (pipeline, handled_key, handled_at) VALUES (?, ?, ?)`,
      [pipeline, key, sqlTimestamp(new Date())],
      true,
    );
    return (result.affected ?? 0) === 1;
  }

  /**
   * Moves a mark found by a skipped delivery to now, or writes it again should the purge have
   * deleted it since: one upsert. After the transaction, not in it: on MySQL, deliveries at
   * once that all found the mark would each hold a shared lock on it and deadlock on the update.
   */
  private async touch(pipeline: string, key: string): Promise<void> {
    const upsert =
      this.dataSource.options.type === 'mysql'
        ? 'ON DUPLICATE KEY UPDATE handled_at = VALUES(handled_at)'
        : 'ON CONFLICT (pipeline, handled_key) DO UPDATE SET handled_at = excluded.handled_at';
    await this.dataSource.query(
      `INSERT INTO ${HANDLED_KEYS_TABLE} (pipeline, handled_key, handled_at) VALUES (?, ?, ?) ${upsert}`,
      [pipeline, key, sqlTimestamp(new Date())],
    );
  }
}
