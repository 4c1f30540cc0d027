import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import {
  affectedRows,
  insertIgnoringRows,
  placeholders,
  retryOnDeadlock,
} from '../../../platform/persistence/index.js';
import { ImportRecord, type RecordState } from './import-record.entity.js';

export interface RecordRef {
  importId: string;
  key: string;
}

/** States a record may leave: a succeeded or dead record changes again only if an operator reopens it. */
const OPEN: RecordState[] = ['extracted', 'failed'];
/** Dead-lettered is dead for the counts, yet open: its event may be replayed. */
const OPEN_OR_DEAD_LETTERED: RecordState[] = [...OPEN, 'dead-lettered'];

/**
 * The per-record state of imports. Every change is an UPDATE guarded by the state it leaves,
 * so a redelivered event cannot count a record twice; the changes for a batch of records go
 * out as one statement per import.
 */
@Injectable()
export class RecordStates {
  constructor(@InjectRepository(ImportRecord) private readonly records: Repository<ImportRecord>) {}

  /** Rows for a page of extracted records; rows that exist already (a resumed extraction) are kept. */
  async insertExtracted(importId: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const rows = keys.map((key) => [importId, key, 'extracted', 0, 0]);
    await retryOnDeadlock(() =>
      insertIgnoringRows(
        this.records.manager.connection,
        'import_records',
        ['import_id', 'record_key', 'state', 'retried', 'reprocessed'],
        rows,
      ),
    );
  }

  /** The keys among `keys` still waiting for their first processing. */
  async stillExtracted(importId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.records.find({
      select: { key: true },
      where: { importId, key: In(keys), state: 'extracted' },
    });
    return new Set(rows.map((r) => r.key));
  }

  /** The state of each record that has one, keyed by {@link recordRefKey}. */
  async lookup(refs: RecordRef[]): Promise<Map<string, RecordState>> {
    const states = new Map<string, RecordState>();
    for (const [importId, keys] of byImport(refs)) {
      const rows = (await this.records.query(
        `SELECT record_key AS k, state FROM import_records WHERE import_id = ? AND record_key IN (${placeholders(keys.length)})`,
        [importId, ...keys],
      )) as { k: string; state: RecordState }[];
      for (const row of rows) states.set(recordRefKey({ importId, key: row.k }), row.state);
    }
    return states;
  }

  /**
   * Written to the target. Resolves with those that were dead-lettered (their dead letter
   * replayed, or handed back): looked for only when the batch's one UPDATE of open records
   * changed fewer rows than it named, so that a batch of first deliveries costs one statement.
   */
  async markSucceeded(refs: RecordRef[]): Promise<RecordRef[]> {
    const recovered: RecordRef[] = [];
    for (const [importId, keys] of byImport(refs)) {
      const changed = await this.update(importId, keys, 'succeeded', false, OPEN);
      if (changed === keys.length) continue;
      const states = await this.lookup(keys.map((key) => ({ importId, key })));
      const deadLettered = keys.filter(
        (key) => states.get(recordRefKey({ importId, key })) === 'dead-lettered',
      );
      if (deadLettered.length === 0) continue;
      await this.update(importId, deadLettered, 'succeeded', false, ['dead-lettered']);
      recovered.push(...deadLettered.map((key) => ({ importId, key })));
    }
    return recovered;
  }

  markFailed(refs: RecordRef[]): Promise<void> {
    return this.transition(refs, 'failed', true, OPEN_OR_DEAD_LETTERED);
  }

  /** Their events ended in the dead letters: dead for the counts until processed again. */
  markDeadLettered(refs: RecordRef[]): Promise<void> {
    return this.transition(refs, 'dead-lettered', true, OPEN);
  }

  async markDead(importId: string, key: string): Promise<void> {
    await this.markAllDead([{ importId, key }]);
  }

  /** Open records given up on (an operator discarded them): a succeeded one never moves. */
  markAllDead(refs: RecordRef[]): Promise<void> {
    return this.transition(refs, 'dead', true, OPEN_OR_DEAD_LETTERED);
  }

  /** A dead record an operator sent back to reprocessing: open again (failed), counted once. */
  async reopen(importId: string, key: string): Promise<void> {
    await this.records.update({ importId, key, state: 'dead' }, { state: 'failed', retried: true });
  }

  async countReprocessing(importId: string, key: string): Promise<void> {
    await this.records.update({ importId, key }, { reprocessed: () => 'reprocessed + 1' });
  }

  /** Moves records in one of the `from` states to `state`; `retried` marks that they failed at least once. */
  private async transition(
    refs: RecordRef[],
    state: RecordState,
    retried: boolean,
    from: RecordState[],
  ): Promise<void> {
    for (const [importId, keys] of byImport(refs))
      await this.update(importId, keys, state, retried, from);
  }

  /** One guarded UPDATE of an import's records; resolves with the rows it changed. */
  private update(
    importId: string,
    keys: string[],
    state: RecordState,
    retried: boolean,
    from: RecordState[],
  ): Promise<number> {
    if (keys.length === 0) return Promise.resolve(0);
    return retryOnDeadlock(() =>
      affectedRows(
        this.records.manager.connection,
        `UPDATE import_records SET state = ?${retried ? ', retried = 1' : ''} ` +
          `WHERE import_id = ? AND record_key IN (${placeholders(keys.length)}) AND state IN (${placeholders(from.length)})`,
        [state, importId, ...keys, ...from],
      ),
    );
  }
}

export const recordRefKey = (ref: RecordRef): string => `${ref.importId}\u0000${ref.key}`;

function byImport(refs: RecordRef[]): Map<string, string[]> {
  const groups = new Map<string, Set<string>>();
  for (const ref of refs) {
    let keys = groups.get(ref.importId);
    if (!keys) groups.set(ref.importId, (keys = new Set()));
    keys.add(ref.key);
  }
  return new Map([...groups].map(([id, keys]) => [id, [...keys]]));
}
