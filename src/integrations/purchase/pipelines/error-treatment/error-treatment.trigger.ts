import { Ctx, Payload } from '@nestjs/microservices';
import {
  EventTrigger,
  EventTriggerContext,
  type EventEnvelope,
  Triggers,
} from '../../../../platform/event-bus/index.js';
import { ErrorResolved, PipelineError } from '../../../../platform/error-store/index.js';
import { purchaseFlowError } from '../../kernel/purchase-flow-error.event.js';
import { purchaseFlowResolved } from '../../kernel/purchase-flow-resolved.event.js';
import { errorTreatmentPipeline } from './error-treatment.pipeline.js';
import { ErrorTreatmentService } from './error-treatment.service.js';

/**
 * The triggers of error treatment: every error event of the purchase flow, whichever pipeline
 * published it, and the resolutions that close them.
 */
@Triggers()
export class ErrorTreatmentTrigger {
  constructor(private readonly treatment: ErrorTreatmentService) {}

  @EventTrigger(purchaseFlowError, { pipeline: errorTreatmentPipeline.name, maxDeliveries: 8 })
  async onError(@Payload() error: PipelineError, @Ctx() ctx: EventTriggerContext): Promise<void> {
    // The validated payload, under the envelope's id: the error store deduplicates on it.
    await this.treatment.treat({
      ...(ctx.getEnvelope() as EventEnvelope<PipelineError>),
      payload: error,
    });
  }

  @EventTrigger(purchaseFlowResolved, { pipeline: errorTreatmentPipeline.name, maxDeliveries: 8 })
  async onResolved(@Payload() resolution: ErrorResolved): Promise<void> {
    await this.treatment.resolve(resolution);
  }
}
