import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { retryDelay } from '../../platform/event-bus/delivery/backoff.js';
import {
  ObjectStore,
  type StoredError,
  type StoredFailure,
} from '../../platform/object-store/object-store.js';
import { MicroBatcher } from '../../platform/persistence/micro-batcher.js';
import type { ExtractedRecord } from '../import-flow/record-events.js';
import { RecordStates } from '../import-flow/record-states.js';
import {
  IMPORT_RECORDS_STORE,
  type StoredRecord,
  storedRecordKey,
} from '../import-flow/stored-record.js';
import { applyBusinessRule, InvalidRecordError } from './business-rule.js';
import { TargetError } from './target/target-error.js';
import { TargetWriter } from './target/target-writer.js';

/**
 * Pipeline 2's work for one record: skip it if already settled (a redelivered event), apply
 * the business rule, write the target; on failure keep the record and its error in the Object
 * Store, due for reprocessing after an exponential backoff with jitter (at once, and marked
 * non-retriable, when the data itself is invalid: the reprocess pipeline sends it to dead).
 */
@Injectable()
export class RecordProcessor {
  private readonly failures = new MicroBatcher<StoredFailure<StoredRecord>>((f) =>
    this.store.put(IMPORT_RECORDS_STORE, f),
  );
  private readonly completions = new MicroBatcher<string>((keys) =>
    this.store.complete(IMPORT_RECORDS_STORE, keys),
  );
  private readonly reprocess: AppConfig['importFlow']['reprocess'];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly states: RecordStates,
    private readonly store: ObjectStore,
    private readonly target: TargetWriter,
  ) {
    this.reprocess = config.importFlow.reprocess;
  }

  /** `attempt` is 0 for an extracted record, then the reprocessing attempt. Throws only when the failure cannot be kept. */
  async process(record: ExtractedRecord, attempt: number, correlationId: string): Promise<void> {
    const storeKey = storedRecordKey(record.importId, record.key);
    let state = await this.states.lookup(record.importId, record.key);
    if (state === 'dead' && attempt > 0 && (await this.revivedByOperator(storeKey))) {
      // An operator put the dead record back in the reprocessing queue (admin API): it is
      // open again, and counts as failed until this attempt settles it.
      await this.states.reopen(record.importId, record.key);
      state = 'failed';
    }
    if (state === 'succeeded' || state === 'dead') {
      // Settled already: a redelivered or overtaken event. A handed-back entry is settled with it.
      if (attempt > 0 && state === 'succeeded') await this.completions.add(storeKey);
      return;
    }
    try {
      await this.target.write(
        applyBusinessRule(record.importId, record.source, record.key, record.data),
      );
    } catch (error) {
      await this.keep(record, attempt, correlationId, classify(error));
      return;
    }
    await this.states.markSucceeded(record.importId, record.key);
    if (attempt > 0 || state === 'failed') await this.completions.add(storeKey);
  }

  /** A late redelivery finds the entry still dead; a revived one was handed back again. */
  private async revivedByOperator(storeKey: string): Promise<boolean> {
    const entry = await this.store.get(IMPORT_RECORDS_STORE, storeKey);
    return entry !== null && entry.status !== 'dead' && entry.status !== 'done';
  }

  private async keep(
    record: ExtractedRecord,
    attempt: number,
    correlationId: string,
    error: StoredError,
  ): Promise<void> {
    const delay = error.retriable
      ? retryDelay(attempt + 1, this.reprocess.baseDelayMs, this.reprocess.maxDelayMs)
      : 0;
    await this.failures.add({
      key: storedRecordKey(record.importId, record.key),
      payload: {
        importId: record.importId,
        source: record.source,
        key: record.key,
        data: record.data,
        correlationId,
      },
      error,
      nextAttemptAt: new Date(Date.now() + delay),
    });
    await this.states.markFailed(record.importId, record.key);
  }
}

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
