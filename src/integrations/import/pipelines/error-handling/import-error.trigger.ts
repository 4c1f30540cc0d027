import { Ctx, Payload } from '@nestjs/microservices';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { InjectConfig } from '../../../../platform/config/index.js';
import { type ErrorHandlingConfig, errorHandlingConfig } from './error-handling.config.js';
import {
  ErrorRecord,
  ErrorResolved,
  ErrorStore,
  PipelineError,
} from '../../../../platform/error-store/index.js';
import {
  type EventEnvelope,
  EventTrigger,
  EventTriggerContext,
  Triggers,
} from '../../../../platform/event-bus/index.js';
import { ObjectStore } from '../../../../platform/object-store/index.js';
import { importError, importResolved } from '../../kernel/record-events.js';
import { ERROR_ALERTS_STORE, type ErrorAlert } from './error-alert.js';
import { errorHandlingPipeline } from './error-handling.pipeline.js';

/**
 * Pipeline 4's triggers: stores each error event (once, however often delivered) and makes sure
 * an alert exists for its import and code. The alert goes out after the aggregation window,
 * with every error alike that arrived meanwhile: a flood makes one ticket, not thousands. A
 * resolution (records processed after all) resolves the error records about those records.
 */
@Triggers()
export class ImportErrorTrigger {
  constructor(
    @InjectConfig(errorHandlingConfig) private readonly settings: ErrorHandlingConfig,
    private readonly errors: ErrorStore,
    private readonly store: ObjectStore,
    @InjectRepository(ErrorRecord) private readonly records: Repository<ErrorRecord>,
  ) {}

  @EventTrigger(importError, { pipeline: errorHandlingPipeline.name })
  async onError(@Payload() error: PipelineError, @Ctx() ctx: EventTriggerContext): Promise<void> {
    const importId = typeof error.context?.importId === 'string' ? error.context.importId : null;
    const { record } = await this.errors.record(ctx.getEnvelope() as EventEnvelope<PipelineError>, {
      fingerprintScope: importId ?? '',
    });
    const alert: ErrorAlert = {
      pipeline: error.pipeline,
      code: error.code,
      importId,
      correlationId: error.correlationId,
    };
    await this.store.add(ERROR_ALERTS_STORE, {
      key: record.fingerprint,
      payload: alert,
      error: { code: error.code, message: error.message, retriable: true },
      nextAttemptAt: new Date(Date.now() + this.settings.aggregationWindowMs),
    });
    // Its alert went out already: the record joins that ticket instead of opening another.
    const existing = await this.store.get(ERROR_ALERTS_STORE, record.fingerprint);
    if (existing?.status === 'done' && record.status === 'open') {
      const sent = existing.payload as ErrorAlert;
      await this.records.update(
        { id: record.id, status: 'open' },
        {
          status: 'alerted',
          notifications: {
            ticketId: sent.ticketId,
            emailMessageId: sent.emailMessageId,
            joined: true,
          },
        },
      );
    }
  }

  @EventTrigger(importResolved, { pipeline: errorHandlingPipeline.name })
  async onResolved(@Payload() resolution: ErrorResolved): Promise<void> {
    await this.errors.resolve(resolution.subjects, resolution.how);
  }
}
