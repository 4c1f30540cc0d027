import type { MessageHandler } from '@nestjs/microservices';
import { BatchDelivery } from './batch-delivery.js';
import { type TriggerDefaults, triggerSettings } from './trigger-settings.js';
import type { PayloadType } from '../event-definition.js';
import type { TriggerExtras } from '../event-trigger.decorator.js';

/** One trigger as a transport consumes it: settings resolved against the bus defaults. */
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

/** Reads the triggers Nest registered on a transport server (one handler per event and pipeline). */
export function bindTriggers(
  handlers: Map<string, MessageHandler>,
  defaults: TriggerDefaults,
): TriggerBinding[] {
  const bindings: TriggerBinding[] = [];
  for (const handler of handlers.values()) {
    const extras = handler.extras as Partial<TriggerExtras> | undefined;
    if (!handler.isEventHandler || !extras?.event || !extras.pipeline) continue;
    const { maxDeliveries, concurrency, batchSize, readSize } = triggerSettings(extras, defaults);
    bindings.push({
      event: extras.event,
      pipeline: extras.pipeline,
      maxDeliveries,
      concurrency,
      payloadType: extras.payloadType,
      handler,
      batch:
        batchSize === undefined
          ? undefined
          : new BatchDelivery(handler, extras.pipeline, batchSize, maxDeliveries),
      readSize,
    });
  }
  return bindings;
}
