import { applyDecorators, SetMetadata, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { EVENT_TRIGGER_METADATA } from './constants.js';
import type { EventDefinition, PayloadType } from './event-definition.js';
import { RethrowEventErrorFilter } from './rethrow-event-error.filter.js';

export interface EventTriggerOptions {
  /** The subscribing pipeline: its replicas share one consumer group and its load. */
  pipeline: string;
  /** Deliveries before the event is dead-lettered; defaults to `bus.maxDeliveries`. */
  maxDeliveries?: number;
  /** Handlers of this trigger running at once in one process; defaults to `bus.concurrency`. */
  concurrency?: number;
}

/** What a transport needs to consume for one trigger; carried as `@EventPattern` extras. */
export interface TriggerExtras extends EventTriggerOptions {
  event: string;
  payloadType?: PayloadType;
  /** Set for a batch trigger (see {@link EventBatchTrigger}). */
  batch?: boolean;
  batchSize?: number;
}

export interface EventBatchTriggerOptions extends EventTriggerOptions {
  /** The most events handed over at once; defaults to the trigger's concurrency. */
  batchSize?: number;
}

/** The pattern under which Nest registers a trigger: one handler per (event, pipeline). */
export const triggerPattern = (event: string, pipeline: string) => ({ event, pipeline });

/**
 * Marks a controller method as the handler of an event for a pipeline. The handler receives
 * the validated payload and an {@link EventTriggerContext}. Returning acknowledges the event;
 * throwing has it redelivered, up to `maxDeliveries`, then dead-lettered.
 */
export function EventTrigger(
  event: EventDefinition | string,
  options: EventTriggerOptions,
): MethodDecorator {
  return trigger(event, options);
}

/**
 * Marks a controller method as the handler of an event for a pipeline, called with an
 * {@link EventBatch} of the events that arrived together (up to `batchSize`) instead of one
 * by one: a pipeline writing each event to a database then writes the batch in one
 * statement. Each event is still validated, acknowledged, redelivered and dead-lettered on
 * its own: returning acknowledges every event of the batch; throwing has every one of them
 * redelivered. A handler that settles some events and not others keeps the failures itself.
 */
export function EventBatchTrigger(
  event: EventDefinition | string,
  options: EventBatchTriggerOptions,
): MethodDecorator {
  return trigger(event, { ...options, batch: true });
}

function trigger(
  event: EventDefinition | string,
  options: EventTriggerOptions & { batch?: boolean; batchSize?: number },
): MethodDecorator {
  const definition = typeof event === 'string' ? { name: event } : event;
  const extras: TriggerExtras = {
    ...options,
    event: definition.name,
    payloadType: 'payloadType' in definition ? definition.payloadType : undefined,
  };
  return applyDecorators(
    EventPattern(triggerPattern(definition.name, options.pipeline), extras),
    // Nest's default RPC filter turns every error into "Internal server error"; the
    // transport needs the real one to decide between redelivery and the dead-letter stream.
    UseFilters(RethrowEventErrorFilter),
    SetMetadata(EVENT_TRIGGER_METADATA, extras),
  );
}
