import { Payload } from '@nestjs/microservices';
import { type PipelineError, describeError } from '../../../../platform/error-store/index.js';
import {
  type BatchItem,
  EventBatch,
  EventBatchTrigger,
  InjectPublisher,
  type Publisher,
  Triggers,
} from '../../../../platform/event-bus/index.js';
import {
  ExtractedRecord,
  importError,
  recordExtracted,
  recordReprocess,
  ReprocessRecord,
} from '../../kernel/record-events.js';
import { storedRecordKey } from '../../kernel/stored-record.js';
import { processPipeline } from './process.pipeline.js';
import { carrierOf } from '../../../../platform/tracing/index.js';
import { RecordProcessor } from './record-processor.js';

/**
 * Records handled at once per process, in batches of up to {@link PROCESS_BATCH}: each batch
 * costs a few multi-row statements whatever its size, and two batches in flight keep the
 * database busy while the next is read. Memory stays bounded by this number.
 */
const PROCESS_CONCURRENCY = 1000;
const PROCESS_BATCH = 500;

/** Pipeline 2's triggers: extracted records, and records the reprocess pipeline hands back. */
@Triggers()
export class RecordTriggers {
  constructor(
    private readonly processor: RecordProcessor,
    @InjectPublisher(importError) private readonly errors: Publisher<PipelineError>,
  ) {}

  @EventBatchTrigger(recordExtracted, {
    pipeline: processPipeline.name,
    concurrency: PROCESS_CONCURRENCY,
    batchSize: PROCESS_BATCH,
  })
  async onExtracted(@Payload() batch: EventBatch<ExtractedRecord>): Promise<void> {
    await this.handle(batch, (record) => ({ record, attempt: 0 }));
  }

  @EventBatchTrigger(recordReprocess, {
    pipeline: processPipeline.name,
    concurrency: PROCESS_CONCURRENCY,
    batchSize: PROCESS_BATCH,
  })
  async onReprocess(@Payload() batch: EventBatch<ReprocessRecord>): Promise<void> {
    await this.handle(batch, ({ attempt, ...record }) => ({ record, attempt }));
  }

  private async handle<T>(
    batch: EventBatch<T>,
    read: (payload: T) => { record: ExtractedRecord; attempt: number },
  ): Promise<void> {
    try {
      await this.processor.process(
        batch.items.map((item) => ({
          ...read(item.payload),
          redelivered: item.attempt > 1,
          correlationId: item.envelope.correlationId,
          trace: carrierOf(item.envelope),
        })),
      );
    } catch (error) {
      // The outcome could not even be kept (Object Store down): the bus redelivers; before an
      // event is dead-lettered, its record goes into an error event. Not while the database is
      // away: the bus then holds the event at the same delivery number, and each of its probes
      // would publish another.
      const last = batch.items.filter((item) => batch.deadLetters(item, error));
      await Promise.all(
        last.map((item) => batch.within(item, () => this.report(item, read, error))),
      );
      throw error;
    }
  }

  private report<T>(
    item: BatchItem<T>,
    read: (payload: T) => { record: ExtractedRecord; attempt: number },
    error: unknown,
  ): Promise<unknown> {
    const { envelope } = item;
    const { record, attempt } = read(item.payload);
    return this.errors.publish({
      pipeline: processPipeline.name,
      code: 'object-store-unavailable',
      message: `record ${record.key} could not be processed nor kept: ${describeError(error)}`,
      correlationId: envelope.correlationId,
      retriable: true,
      occurredAt: new Date().toISOString(),
      event: { id: envelope.id, name: envelope.name, payload: envelope.payload },
      subject: storedRecordKey(record.importId, record.key),
      context: {
        importId: record.importId,
        source: record.source,
        recordKey: record.key,
        attempt,
      },
    });
  }
}
