import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectConfig } from '../../../../platform/config/index.js';
import { type ImportFlowConfig, importFlowConfig } from '../../import.config.js';
import { type ReprocessConfig, reprocessConfig } from '../../import.config.js';
import { MAX_MESSAGE_LENGTH, type PipelineError } from '../../../../platform/error-store/index.js';
import { truncate } from '../../../../platform/text/index.js';
import {
  BusObservers,
  InjectPublisher,
  type Publisher,
} from '../../../../platform/event-bus/index.js';
import { type ObjectStoreEntry, ObjectStore } from '../../../../platform/object-store/index.js';
import { type Outage, outageOf } from '../../../../platform/reliability/index.js';
import { RecurringTask } from '../../../../platform/scheduling/index.js';
import { importError, recordReprocess, type ReprocessRecord } from '../../kernel/record-events.js';
import { RecordStates } from '../../kernel/record-states.js';
import { IMPORT_RECORDS_STORE, type StoredRecord } from '../../kernel/stored-record.js';
import { carrierOf } from '../../../../platform/tracing/index.js';
import { reprocessPipeline } from './reprocess.pipeline.js';

type Entry = ObjectStoreEntry & { payload: StoredRecord };

/**
 * Pipeline 3: every `reprocess.intervalMs`, claims due records of the Object Store under a
 * lease (so replicas never take the same one) and, for each, either hands it back to the
 * process pipeline (`record.reprocess`, one attempt more) or, at the source's attempt limit
 * or when its error is not retriable, marks it dead and publishes `import.error`. A run that
 * fails publishes `import.error` too; what it had claimed is taken again when the lease ends.
 * A run that fails because the database is away is no failure of its own: the task reports
 * the outage once, as a waiting trigger does (`BusObservers.outage`, which raises one alert
 * per outage), and again when a run gets through, instead of an error event per run.
 */
@Injectable()
export class Reprocessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Reprocessor');
  private readonly task: RecurringTask;
  /** The outage the runs have been failing on, since when; reported once. */
  private waiting?: { outage: Outage; since: Date };

  constructor(
    @InjectConfig(importFlowConfig) private readonly flow: ImportFlowConfig,
    @InjectConfig(reprocessConfig) private readonly settings: ReprocessConfig,
    private readonly store: ObjectStore,
    private readonly states: RecordStates,
    @InjectPublisher(recordReprocess) private readonly reprocess: Publisher<ReprocessRecord>,
    @InjectPublisher(importError) private readonly errors: Publisher<PipelineError>,
    registry: SchedulerRegistry,
    private readonly observers: BusObservers,
  ) {
    this.task = new RecurringTask(
      registry,
      'import-reprocessor',
      this.settings.intervalMs,
      () => this.run(),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  /** One pass over the due records. */
  async run(): Promise<void> {
    const { batchSize, leaseMs } = this.settings;
    try {
      const claim = await this.store.claimDue<StoredRecord>(IMPORT_RECORDS_STORE, {
        limit: batchSize,
        leaseMs,
      });
      const outcomes = await Promise.allSettled(
        claim.entries.map((entry) => this.review(entry, claim.owner)),
      );
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed.length > 0) {
        throw new Error(
          `${failed.length} of ${claim.entries.length} records could not be reviewed: ${(failed[0]!.reason as Error).message}`,
          { cause: failed[0]!.reason },
        );
      }
      this.outageEnded();
    } catch (error) {
      const outage = outageOf(error);
      if (outage) this.outageBegan(outage);
      else await this.reportRunFailure(error);
    }
  }

  private outageBegan(outage: Outage): void {
    if (this.waiting) return;
    this.waiting = { outage, since: new Date() };
    this.logger.warn(
      `the ${outage.dependency} does not answer (${outage.cause}): reprocessing waits for it`,
    );
    this.reportOutage('began');
  }

  private outageEnded(): void {
    if (!this.waiting) return;
    this.reportOutage('ended');
    this.logger.log(`the ${this.waiting.outage.dependency} answers again: reprocessing resumes`);
    this.waiting = undefined;
  }

  private reportOutage(phase: 'began' | 'ended'): void {
    const { outage, since } = this.waiting!;
    this.observers.outage({
      ...outage,
      phase,
      since,
      pipeline: reprocessPipeline.name,
      event: this.task.name,
    });
  }

  private async review(entry: Entry, owner: string): Promise<void> {
    const record = entry.payload;
    const maxAttempts = this.flow.sources[record.source]?.maxAttempts ?? this.settings.maxAttempts;
    if (!entry.retriable) {
      return this.giveUp(entry, owner, `not retriable: ${entry.lastError ?? 'invalid record'}`);
    }
    if (entry.attempts >= maxAttempts) {
      return this.giveUp(
        entry,
        owner,
        `gave up after ${entry.attempts} reprocessing attempts: ${entry.lastError ?? ''}`,
      );
    }
    // Marked before publishing: a lost lease means another replica has it, so nothing is published twice.
    if (!(await this.store.handedBack(entry, owner, this.settings.awaitMs))) return;
    await this.states.countReprocessing(record.importId, record.key);
    await this.reprocess.publish(
      {
        importId: record.importId,
        source: record.source,
        key: record.key,
        data: record.data,
        attempt: entry.attempts + 1,
      },
      // The record's trace goes on: this attempt is one more span of it.
      { correlationId: record.correlationId, trace: carrierOf(entry) },
    );
  }

  /** The error event goes out before the entry is marked: a crash in between repeats the event, never loses it. */
  private async giveUp(entry: Entry, owner: string, message: string): Promise<void> {
    const record = entry.payload;
    await this.errors.publish(
      {
        pipeline: reprocessPipeline.name,
        code: entry.errorCode ?? 'reprocessing-exhausted',
        message: `record ${record.key} of source '${record.source}' is dead, ${message}`.slice(
          0,
          4000,
        ),
        correlationId: record.correlationId,
        retriable: false,
        occurredAt: new Date().toISOString(),
        reference: { store: IMPORT_RECORDS_STORE, key: entry.key },
        subject: entry.key,
        context: {
          importId: record.importId,
          source: record.source,
          recordKey: record.key,
          attempts: entry.attempts,
        },
      },
      { correlationId: record.correlationId, trace: carrierOf(entry) },
    );
    if (await this.store.markDead(entry, owner))
      await this.states.markDead(record.importId, record.key);
  }

  private async reportRunFailure(error: unknown): Promise<void> {
    const message = (error as Error).message ?? String(error);
    this.logger.error(`reprocessing run failed: ${message}`);
    try {
      await this.errors.publish({
        pipeline: reprocessPipeline.name,
        code: 'reprocess-run-failed',
        message: truncate(`reprocessing run failed: ${message}`, MAX_MESSAGE_LENGTH),
        correlationId: randomUUID(),
        retriable: true,
        occurredAt: new Date().toISOString(),
        context: { store: IMPORT_RECORDS_STORE },
      });
    } catch (publishError) {
      this.logger.error(
        `could not report the failed reprocessing run: ${(publishError as Error).message}`,
      );
    }
  }
}
