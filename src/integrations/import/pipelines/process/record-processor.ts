import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../../../platform/config/index.js';
import { type ReprocessConfig, reprocessConfig } from '../../import.config.js';
import {
  type ErrorResolved,
  MAX_RESOLVED_SUBJECTS,
} from '../../../../platform/error-store/index.js';
import { InjectPublisher, type Publisher } from '../../../../platform/event-bus/index.js';
import { retryDelay } from '../../../../platform/reliability/index.js';
import {
  ObjectStore,
  type StoredError,
  type StoredFailure,
} from '../../../../platform/object-store/index.js';
import type { RecordState as ImportRecordState } from '../../kernel/import-record.entity.js';
import { BackgroundWrites } from '../../../../platform/persistence/index.js';
import { type ExtractedRecord, importResolved } from '../../kernel/record-events.js';
import { type RecordRef, recordRefKey, RecordStates } from '../../kernel/record-states.js';
import {
  IMPORT_RECORDS_STORE,
  type StoredRecord,
  storedRecordKey,
} from '../../kernel/stored-record.js';
import { applyBusinessRule, InvalidRecordError, type TargetRecord } from './business-rule.js';
import { TargetError } from './target/target-error.js';
import type { TraceCarrier } from '../../../../platform/tracing/index.js';
import { TargetWriter } from './target/target-writer.js';

/** One record to process, as one event brought it. */
export interface RecordWork {
  record: ExtractedRecord;
  /** 0 for an extracted record, then the reprocessing attempt. */
  attempt: number;
  /** The event was delivered before (its handling failed or its consumer stopped). */
  redelivered: boolean;
  correlationId: string;
  /** The record's trace (its event's): kept with it in the Object Store when it fails. */
  trace?: TraceCarrier;
}

/**
 * Pipeline 2's work for a batch of records: skip those already settled (a redelivered event),
 * apply the business rule, write the target; on failure keep the record and its error in the
 * Object Store, due for reprocessing after an exponential backoff with jitter (at once, and
 * marked non-retriable, when the data itself is invalid: the reprocess pipeline sends it to
 * dead). Each step is one statement for the whole batch.
 */
@Injectable()
export class RecordProcessor {
  private readonly reprocess: ReprocessConfig;

  constructor(
    @InjectConfig(reprocessConfig) reprocess: ReprocessConfig,
    private readonly states: RecordStates,
    private readonly store: ObjectStore,
    private readonly target: TargetWriter,
    private readonly writes: BackgroundWrites,
    @InjectPublisher(importResolved) private readonly resolutions: Publisher<ErrorResolved>,
  ) {
    this.reprocess = reprocess;
  }

  /** Throws only when the outcome cannot be kept: the bus then redelivers the whole batch. */
  async process(batch: RecordWork[]): Promise<void> {
    const { open, reopened } = await this.openRecords(batch);
    const rejected: [RecordWork, StoredError][] = [];
    const valid: { work: RecordWork; target: TargetRecord }[] = [];
    for (const work of open) {
      const { importId, source, key, data } = work.record;
      try {
        valid.push({ work, target: applyBusinessRule(importId, source, key, data) });
      } catch (error) {
        rejected.push([work, classify(error)]);
      }
    }
    const failures = await this.target.write(valid.map((v) => v.target));
    const written: RecordWork[] = [];
    valid.forEach(({ work }, i) => {
      const failure = failures[i];
      if (failure) rejected.push([work, classify(failure)]);
      else written.push(work);
    });
    await Promise.all([this.keep(rejected), this.settle(written, reopened)]);
  }

  /**
   * The records of the batch still to process; settles the rest. Only a redelivered event or
   * a reprocessed record can find its record settled, so only theirs are looked up: a first
   * delivery that is wrong about it (a resumed extraction) writes the target once more, which
   * is idempotent, and the guarded state change counts nothing twice.
   */
  private async openRecords(
    batch: RecordWork[],
  ): Promise<{ open: RecordWork[]; reopened: Set<RecordWork> }> {
    const reopened = new Set<RecordWork>();
    const doubtful = batch.filter((w) => w.attempt > 0 || w.redelivered);
    if (doubtful.length === 0) return { open: batch, reopened };
    const states = await this.states.lookup(doubtful.map((w) => w.record));
    const open: RecordWork[] = [];
    const handedBackSettled: string[] = [];
    for (const work of batch) {
      let state = states.get(recordRefKey(work.record));
      if (state === 'dead' && work.attempt > 0) {
        state = await this.reopenedState(work);
        if (state !== 'dead') reopened.add(work);
      }
      if (state !== 'succeeded' && state !== 'dead') open.push(work);
      // Settled already: a redelivered or overtaken event. A handed-back entry is settled with it.
      else if (work.attempt > 0 && state === 'succeeded') handedBackSettled.push(storeKeyOf(work));
    }
    await this.store.complete(IMPORT_RECORDS_STORE, handedBackSettled);
    return { open, reopened };
  }

  /**
   * The state of a dead record handed back: an operator may have put it back in the
   * reprocessing queue (admin API).
   */
  private async reopenedState(work: RecordWork): Promise<ImportRecordState> {
    const entry = await this.store.get(IMPORT_RECORDS_STORE, storeKeyOf(work));
    // A late redelivery finds the entry still dead; a revived one was handed back again.
    if (entry === null || entry.status === 'dead' || entry.status === 'done') return 'dead';
    // Open again, and counted as failed until this attempt settles it.
    await this.states.reopen(work.record.importId, work.record.key);
    return 'failed';
  }

  /**
   * Written: the state moves to succeeded, and an entry kept from an earlier failure is done.
   * Records that had been given up on (an operator revived them, or their dead letter was
   * replayed) are resolved: error handling resolves their error records.
   */
  private async settle(written: RecordWork[], reopened: Set<RecordWork>): Promise<void> {
    if (written.length === 0) return;
    const deadLettered = await this.states.markSucceeded(written.map((w) => w.record));
    // Only a record that was looked up can have failed before; were a first delivery to
    // overtake its own failure, the reprocess pipeline's hand-back would settle the entry.
    const retried = written.filter((w) => w.attempt > 0 || w.redelivered);
    await this.store.complete(IMPORT_RECORDS_STORE, retried.map(storeKeyOf));
    const recovered = [
      ...written.filter((w) => reopened.has(w)).map(storeKeyOf),
      ...deadLettered.map((r) => storedRecordKey(r.importId, r.key)),
    ];
    if (recovered.length > 0) this.resolve(recovered);
  }

  /**
   * In the background: the records are settled, and a broker blip must neither fail the batch
   * (its redelivery would find them settled, and never say so again) nor lose the resolution.
   */
  private resolve(subjects: string[]): void {
    for (let start = 0; start < subjects.length; start += MAX_RESOLVED_SUBJECTS) {
      const chunk = subjects.slice(start, start + MAX_RESOLVED_SUBJECTS);
      void this.writes.keep(`resolution of ${chunk.length} import record(s)`, () =>
        this.resolutions.publish({
          pipeline: this.resolutions.pipeline,
          subjects: chunk,
          how: 'processed after it was given up on',
          resolvedAt: new Date().toISOString(),
        }),
      );
    }
  }

  private async keep(rejected: [RecordWork, StoredError][]): Promise<void> {
    if (rejected.length === 0) return;
    const now = Date.now();
    const failures: StoredFailure<StoredRecord>[] = rejected.map(([work, error]) => {
      const delay = error.retriable
        ? retryDelay(work.attempt + 1, this.reprocess.baseDelayMs, this.reprocess.maxDelayMs)
        : 0;
      const { importId, source, key, data } = work.record;
      return {
        key: storeKeyOf(work),
        payload: { importId, source, key, data, correlationId: work.correlationId },
        error,
        nextAttemptAt: new Date(now + delay),
        trace: work.trace ?? {},
      };
    });
    // The state first: once the entry is stored, the reprocess pipeline may hand the record
    // back and a retry succeed at once; were it still `extracted` then, that success would
    // not count as a retry. A crash between the two redelivers the event, which stores it.
    await this.states.markFailed(rejected.map(([work]) => work.record as RecordRef));
    await this.store.put(IMPORT_RECORDS_STORE, failures);
  }
}

const storeKeyOf = (work: RecordWork): string =>
  storedRecordKey(work.record.importId, work.record.key);

function classify(error: unknown): StoredError {
  if (error instanceof InvalidRecordError)
    return { code: 'invalid-record', message: error.message, retriable: false };
  if (error instanceof TargetError)
    return { code: error.code, message: error.message, retriable: error.retriable };
  return {
    code: 'processing-failed',
    message: (error as Error).message ?? String(error),
    retriable: true,
  };
}
