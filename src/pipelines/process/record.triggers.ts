import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { PipelineError } from '../../platform/error-store/pipeline-error.js';
import { describeError } from '../../platform/event-bus/delivery/deliver.js';
import { EventTrigger } from '../../platform/event-bus/event-trigger.decorator.js';
import { EventTriggerContext } from '../../platform/event-bus/event-trigger.context.js';
import { InjectPublisher } from '../../platform/event-bus/inject-publisher.decorator.js';
import type { Publisher } from '../../platform/event-bus/publisher.js';
import {
  ExtractedRecord,
  importError,
  recordExtracted,
  recordReprocess,
  ReprocessRecord,
} from '../import-flow/record-events.js';
import { processPipeline } from './process.pipeline.js';
import { RecordProcessor } from './record-processor.js';

/**
 * Records handled at once per process. A handler mostly waits on the database, and its
 * statements are batched per event-loop turn (MicroBatcher): more handlers in flight make
 * bigger batches, so fewer round trips per record. Memory stays bounded by this number.
 */
const PROCESS_CONCURRENCY = 256;

/** Pipeline 2's triggers: extracted records, and records the reprocess pipeline hands back. */
@Controller()
export class RecordTriggers {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: RecordProcessor,
    @InjectPublisher(importError) private readonly errors: Publisher<PipelineError>,
  ) {}

  @EventTrigger(recordExtracted, {
    pipeline: processPipeline.name,
    concurrency: PROCESS_CONCURRENCY,
  })
  async onExtracted(
    @Payload() record: ExtractedRecord,
    @Ctx() ctx: EventTriggerContext,
  ): Promise<void> {
    await this.handle(record, 0, ctx);
  }

  @EventTrigger(recordReprocess, {
    pipeline: processPipeline.name,
    concurrency: PROCESS_CONCURRENCY,
  })
  async onReprocess(
    @Payload() record: ReprocessRecord,
    @Ctx() ctx: EventTriggerContext,
  ): Promise<void> {
    const { attempt, ...extracted } = record;
    await this.handle(extracted, attempt, ctx);
  }

  private async handle(
    record: ExtractedRecord,
    attempt: number,
    ctx: EventTriggerContext,
  ): Promise<void> {
    const envelope = ctx.getEnvelope();
    try {
      await this.processor.process(record, attempt, envelope.correlationId);
    } catch (error) {
      // The failure could not even be kept (Object Store down): the bus redelivers; before
      // the last delivery is dead-lettered, the record itself goes into the error event.
      if (ctx.getAttempt() >= this.config.bus.maxDeliveries) {
        await this.errors.publish({
          pipeline: processPipeline.name,
          code: 'object-store-unavailable',
          message: `record ${record.key} could not be processed nor kept: ${describeError(error)}`,
          correlationId: envelope.correlationId,
          retriable: true,
          occurredAt: new Date().toISOString(),
          event: { id: envelope.id, name: envelope.name, payload: envelope.payload },
          context: {
            importId: record.importId,
            source: record.source,
            recordKey: record.key,
            attempt,
          },
        });
      }
      throw error;
    }
  }
}
