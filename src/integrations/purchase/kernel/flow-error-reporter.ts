import { Injectable, Logger } from '@nestjs/common';
import { flowContext, InjectPublisher, type Publisher } from '../../../platform/event-bus/index.js';
import {
  type FailedEvent,
  MAX_MESSAGE_LENGTH,
  type PipelineError,
} from '../../../platform/error-store/index.js';
import { truncate } from '../../../platform/text/index.js';
import { purchaseFlowError } from './purchase-flow-error.event.js';

export interface FlowFailure {
  code: string;
  message: string;
  retriable: boolean;
  /** The event (or request) that failed, whole, so that error treatment can reprocess it. */
  event?: FailedEvent;
  /** What failed (a delivery): its later success resolves the error. */
  subject?: string;
  context?: Record<string, unknown>;
}

/**
 * How a pipeline of the purchase flow reports a failure: it logs it with the correlation id
 * and publishes it on the flow's error event. Provided by each pipeline's module, so each
 * publishes under its own name. Publishing may throw (the broker is down): callers let that
 * propagate, so the event they handle is redelivered rather than the failure lost.
 */
@Injectable()
export class FlowErrorReporter {
  private readonly logger: Logger;

  constructor(
    @InjectPublisher(purchaseFlowError) private readonly errors: Publisher<PipelineError>,
  ) {
    this.logger = new Logger(errors.pipeline);
  }

  async report(failure: FlowFailure): Promise<void> {
    const correlationId = flowContext.current()?.correlationId ?? 'unknown';
    this.logger.error(`${failure.code}: ${failure.message} [correlationId=${correlationId}]`);
    const error: PipelineError = {
      pipeline: this.errors.pipeline,
      code: failure.code,
      message: truncate(failure.message, MAX_MESSAGE_LENGTH),
      correlationId,
      retriable: failure.retriable,
      occurredAt: new Date().toISOString(),
    };
    if (failure.event) error.event = failure.event;
    if (failure.subject) error.subject = failure.subject;
    if (failure.context) error.context = failure.context;
    await this.errors.publish(error);
  }
}
