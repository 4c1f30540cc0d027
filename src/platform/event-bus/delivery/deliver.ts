import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isObservable, lastValueFrom } from 'rxjs';
import { InvalidEventPayloadError } from '../errors/invalid-event-payload.error.js';
import { NonRetriableEventError } from '../errors/non-retriable-event.error.js';
import { type EventEnvelope, MalformedEnvelopeError, parseEnvelope } from '../event-envelope.js';
import { EventTriggerContext } from '../event-trigger.context.js';
import { flowContext, type FlowContext } from '../flow-context.js';
import type { BusObservers } from '../bus-observers.js';
import type { PayloadType } from '../event-definition.js';
import type { DeadLetterReason } from './dead-letter.js';
import type { TriggerBinding } from './trigger-binding.js';

/** `flow` is the event's flow, so that what the transport logs about it carries its ids. */
export type DeliveryOutcome =
  | { kind: 'ack' }
  | { kind: 'retry'; error: string; flow?: FlowContext }
  | { kind: 'dead'; reason: DeadLetterReason; error: string; flow?: FlowContext };

/**
 * Delivers one event to one trigger and says what the transport must do with it.
 * Shared by every transport so that they agree on validation, retries and dead letters.
 */
export async function deliver(
  binding: TriggerBinding,
  raw: string | EventEnvelope,
  attempt: number,
  observers?: BusObservers,
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const outcome = await decide(binding, raw, attempt);
  observers?.delivered({
    event: binding.event,
    pipeline: binding.pipeline,
    attempt,
    outcome: outcome.kind,
    reason: outcome.kind === 'dead' ? outcome.reason : undefined,
    durationMs: performance.now() - started,
  });
  return outcome;
}

async function decide(
  binding: TriggerBinding,
  raw: string | EventEnvelope,
  attempt: number,
): Promise<DeliveryOutcome> {
  let envelope: EventEnvelope;
  try {
    envelope = typeof raw === 'string' ? parseEnvelope(raw) : raw;
  } catch (error) {
    if (error instanceof MalformedEnvelopeError) {
      return { kind: 'dead', reason: 'malformed-envelope', error: error.message };
    }
    throw error;
  }
  try {
    const payload = binding.payloadType
      ? validatePayload(binding.payloadType, envelope.payload)
      : envelope.payload;
    if (binding.batch) {
      await binding.batch.deliver({ payload, envelope, attempt });
      return { kind: 'ack' };
    }
    const context = new EventTriggerContext([envelope, attempt, binding.pipeline]);
    // The handler and whatever it publishes run in the event's flow. With an interceptor the
    // handler is an Observable run on subscription: subscribe inside the flow too.
    await flowContext.run(flowContext.of(envelope), async () => {
      const result: unknown = await binding.handler(payload, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    });
    return { kind: 'ack' };
  } catch (error) {
    const message = describeError(error);
    const flow = flowContext.of(envelope);
    if (error instanceof InvalidEventPayloadError) {
      return { kind: 'dead', reason: 'invalid-payload', error: message, flow };
    }
    if (error instanceof NonRetriableEventError) {
      return { kind: 'dead', reason: 'non-retriable', error: message, flow };
    }
    if (attempt >= binding.maxDeliveries) {
      return { kind: 'dead', reason: 'max-deliveries', error: message, flow };
    }
    return { kind: 'retry', error: message, flow };
  }
}

/**
 * Synchronous: event contracts are checks on data, never lookups, and validating without a
 * promise per constraint costs a fraction of the asynchronous form on a busy trigger.
 */
function validatePayload(payloadType: PayloadType, payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidEventPayloadError(['payload must be a JSON object']);
  }
  const instance = plainToInstance(payloadType, payload) as object;
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new InvalidEventPayloadError(flatten(errors));
  return instance;
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((c) => `${path}: ${c}`);
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) return JSON.stringify(error);
  return String(error);
}
