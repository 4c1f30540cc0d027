import type { MessageHandler } from '@nestjs/microservices';
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
}

export interface TriggerDefaults {
  maxDeliveries: number;
  concurrency: number;
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
    bindings.push({
      event: extras.event,
      pipeline: extras.pipeline,
      maxDeliveries: extras.maxDeliveries ?? defaults.maxDeliveries,
      concurrency: extras.concurrency ?? defaults.concurrency,
      payloadType: extras.payloadType,
      handler,
    });
  }
  return bindings;
}
