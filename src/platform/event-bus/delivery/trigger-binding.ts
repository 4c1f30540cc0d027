import type { MessageHandler } from '@nestjs/microservices';
import { BatchDelivery } from './batch-delivery.js';
import type { PayloadType } from '../event-definition.js';
import type { TriggerRecord } from '../registry/event-registry.js';

/** One trigger as a transport consumes it: the registry's record and the handler Nest built. */
export interface TriggerBinding {
  event: string;
  pipeline: string;
  maxDeliveries: number;
  concurrency: number;
  payloadType?: PayloadType;
  handler: MessageHandler;
  /** Set for a batch trigger: delivers its events to the handler in batches. */
  batch?: BatchDelivery;
  /** Events a transport reads at once: a batch trigger's batch size, else `bus.readBatchSize`. */
  readSize: number;
}

/**
 * Binds the registry's triggers, each once with its own settings, to the handlers Nest built
 * for them (with their guards, interceptors, pipes and filters). The registry is the one list:
 * it has refused a second trigger on one (event, pipeline) and triggers outside controllers.
 */
export function bindTriggers(
  triggers: readonly TriggerRecord[],
  handlerOf: (trigger: TriggerRecord) => MessageHandler | undefined,
): TriggerBinding[] {
  return triggers.map((trigger) => {
    const handler = handlerOf(trigger);
    if (!handler) {
      throw new Error(
        `${trigger.handler} is a trigger of pipeline '${trigger.pipeline}' on event '${trigger.event}', ` +
          'but the bus server has no handler for it: is the event bus connected as the microservice ' +
          '(connectMicroservice with the EVENT_BUS_SERVER strategy)?',
      );
    }
    const { event, pipeline, maxDeliveries, concurrency, batchSize, readSize, payloadType } =
      trigger;
    return {
      event,
      pipeline,
      maxDeliveries,
      concurrency,
      payloadType,
      handler,
      batch:
        batchSize === undefined
          ? undefined
          : new BatchDelivery(handler, pipeline, batchSize, maxDeliveries),
      readSize,
    };
  });
}
