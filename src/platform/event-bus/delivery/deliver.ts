import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isObservable, lastValueFrom } from 'rxjs';
import { InvalidEventPayloadError } from '../errors/invalid-event-payload.error.js';
import { NonRetriableEventError } from '../errors/non-retriable-event.error.js';
import { RetryLaterError } from '../errors/retry-later.error.js';
import { describeError } from '../../error-store/describe-error.js';
import { type Outage, outageOf } from '../../reliability/outage.js';
import { type EventEnvelope, MalformedEnvelopeError, parseEnvelope } from '../event-envelope.js';
import { EventTriggerContext } from '../event-trigger.context.js';
import { flowContext, type FlowContext } from '../flow-context.js';
import type { BusObservers } from '../bus-observers.js';
import type { BatchItem } from '../event-batch.js';
import type { PayloadType } from '../event-definition.js';
import type { DeadLetterReason } from './dead-letter.js';
import type { TriggerBinding } from './trigger-binding.js';
import {
  contextOf,
  inSpan,
  linkTo,
  MESSAGING_SYSTEM,
  recordSpanError,
  SpanKind,
  tracer,
} from '../../tracing/tracing.js';
import { type Attributes, type Link, type Span, SpanStatusCode } from '@opentelemetry/api';

/**
 * What the transport does with a delivered event: acknowledge it, redeliver it (the delivery
 * counted towards `maxDeliveries`), dead-letter it, hold it until the pipeline's database or
 * broker answers again (`outage`), or deliver it again after `delayMs` (`later`, a
 * {@link RetryLaterError}). The last two do not count the delivery. `flow` is the event's
 * flow, so that what the transport logs about it carries its ids.
 */
export type DeliveryOutcome =
  | { kind: 'ack' }
  | { kind: 'retry'; error: string; flow?: FlowContext }
  | { kind: 'dead'; reason: DeadLetterReason; error: string; flow?: FlowContext }
  | { kind: 'outage'; outage: Outage; error: string; flow?: FlowContext }
  | { kind: 'later'; delayMs: number; error: string; flow?: FlowContext };

/** One event as a transport hands it over: raw off the wire (or parsed), and its delivery number. */
export interface Delivery {
  raw: string | EventEnvelope;
  attempt: number;
}

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
  observe(binding, attempt, outcome, performance.now() - started, observers);
  return outcome;
}

/**
 * Delivers the events of one read to a batch trigger (see {@link EventBatchTrigger}): one
 * handler call for the valid ones, one outcome per event, in order. An event that cannot be
 * parsed or fails the contract is dead-lettered alone; the batch's failure is each event's.
 */
export async function deliverBatch(
  binding: TriggerBinding,
  deliveries: Delivery[],
  observers?: BusObservers,
): Promise<DeliveryOutcome[]> {
  const started = performance.now();
  const outcomes: DeliveryOutcome[] = new Array(deliveries.length);
  const items: BatchItem[] = [];
  const positions: number[] = [];
  deliveries.forEach(({ raw, attempt }, i) => {
    const read = readEvent(binding, raw, attempt);
    if ('kind' in read) outcomes[i] = read;
    else {
      items.push({ payload: read.payload, envelope: read.envelope, attempt });
      positions.push(i);
    }
  });
  const batch = binding.batch!;
  for (let start = 0; start < items.length; start += batch.maxSize) {
    const end = Math.min(items.length, start + batch.maxSize);
    const chunk = items.slice(start, end);
    // One span for the handler's call, linked to each event's publish: a batch mixes flows,
    // so it continues none of their traces.
    await processSpan(
      binding,
      {
        parent: contextOf(undefined),
        links: chunk.map((item) => linkTo(item.envelope)).filter((l): l is Link => !!l),
        attributes: {
          'messaging.batch.message_count': chunk.length,
          'tributary.delivery.attempt': Math.max(...chunk.map((item) => item.attempt)),
        },
      },
      async (span) => {
        const began = Date.now();
        try {
          await batch.run(chunk);
          for (let k = start; k < end; k++) outcomes[positions[k]!] = { kind: 'ack' };
          return { kind: 'ack' };
        } catch (error) {
          recordSpanError(span, error);
          for (let k = start; k < end; k++)
            outcomes[positions[k]!] = failureOutcome(binding, error, items[k]!);
          return outcomes[positions[start]!]!;
        } finally {
          if (span.isRecording()) {
            const settled = chunk.map((_, k) => outcomes[positions[start + k]!]!);
            traceEachEvent(binding, chunk, settled, span, began);
          }
        }
      },
    );
  }
  const durationMs = performance.now() - started;
  deliveries.forEach(({ attempt }, i) =>
    observe(binding, attempt, outcomes[i]!, durationMs, observers),
  );
  return outcomes;
}

function observe(
  binding: TriggerBinding,
  attempt: number,
  outcome: DeliveryOutcome,
  durationMs: number,
  observers?: BusObservers,
): void {
  observers?.delivered({
    event: binding.event,
    pipeline: binding.pipeline,
    attempt,
    outcome: outcome.kind,
    reason: outcome.kind === 'dead' ? outcome.reason : undefined,
    durationMs,
  });
}

/** The envelope and validated payload of an event, or why it goes to the dead letters. */
function readEvent(
  binding: TriggerBinding,
  raw: string | EventEnvelope,
  attempt: number,
): { envelope: EventEnvelope; payload: unknown } | DeliveryOutcome {
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
    return { envelope, payload };
  } catch (error) {
    return failureOutcome(binding, error, { envelope, attempt });
  }
}

async function decide(
  binding: TriggerBinding,
  raw: string | EventEnvelope,
  attempt: number,
): Promise<DeliveryOutcome> {
  // A batch trigger's handler takes batches, even of one event.
  if (binding.batch) return (await deliverBatch(binding, [{ raw, attempt }]))[0]!;
  const read = readEvent(binding, raw, attempt);
  if ('kind' in read) return read;
  const { envelope, payload } = read;
  // Each delivery attempt is a span of the event's trace, child of its publish.
  return processSpan(
    binding,
    {
      parent: contextOf(envelope),
      attributes: eventAttributes(envelope, attempt),
    },
    async (span) => {
      try {
        const context = new EventTriggerContext([envelope, attempt, binding.pipeline]);
        // The handler and whatever it publishes run in the event's flow. With an interceptor the
        // handler is an Observable run on subscription: subscribe inside the flow too.
        await flowContext.run(flowContext.of(envelope), async () => {
          const result: unknown = await binding.handler(payload, context);
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        });
        return { kind: 'ack' };
      } catch (error) {
        recordSpanError(span, error);
        return failureOutcome(binding, error, { envelope, attempt });
      }
    },
  );
}

/** The messaging conventions' attributes of a `process` span: destination, consumer group. */
function processAttributes(binding: TriggerBinding): Attributes {
  return {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.destination.name': binding.event,
    'messaging.consumer.group.name': binding.pipeline,
  };
}

/** What a `process` span says of its event: ids, never the payload. */
function eventAttributes(envelope: EventEnvelope, attempt: number): Attributes {
  return {
    'messaging.message.id': envelope.id,
    'messaging.message.conversation_id': envelope.correlationId,
    'tributary.delivery.attempt': attempt,
  };
}

/**
 * Each event of a batch gets its own `process` span in its own trace, spanning the batch's
 * handling and linked to the batch's span: an event's trace then holds every attempt at it,
 * batched or not.
 */
function traceEachEvent(
  binding: TriggerBinding,
  chunk: BatchItem[],
  settled: DeliveryOutcome[],
  batchSpan: Span,
  began: number,
): void {
  const link: Link = { context: batchSpan.spanContext() };
  chunk.forEach((item, k) => {
    const span = tracer().startSpan(
      `${binding.event} process`,
      {
        kind: SpanKind.CONSUMER,
        startTime: began,
        links: [link],
        attributes: {
          ...processAttributes(binding),
          ...eventAttributes(item.envelope, item.attempt),
          'tributary.outcome': settled[k]!.kind,
        },
      },
      contextOf(item.envelope),
    );
    if (settled[k]!.kind !== 'ack') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/**
 * `<event> process`, a consumer span (messaging conventions: destination the event, consumer
 * group the pipeline) around one handling, with what the bus decided (`tributary.outcome`).
 */
function processSpan(
  binding: TriggerBinding,
  span: { parent: ReturnType<typeof contextOf>; links?: Link[]; attributes: Attributes },
  handle: (span: Span) => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> {
  return inSpan(
    `${binding.event} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: span.parent,
      links: span.links,
      attributes: { ...processAttributes(binding), ...span.attributes },
    },
    async (active) => {
      const outcome = await handle(active);
      active.setAttribute('tributary.outcome', outcome.kind);
      return outcome;
    },
  );
}

/**
 * What a handler's error means for one of its events: dead-lettered now (the payload is at
 * fault), delivered again later without counting (asked to, or the database or broker is
 * away: see {@link outageOf}), or redelivered, counted, until its last allowed delivery. A
 * handler that must act before its event is dead-lettered asks here (`kind === 'dead'`).
 */
export function failureOutcome(
  binding: Pick<TriggerBinding, 'maxDeliveries'>,
  error: unknown,
  { envelope, attempt }: { envelope: EventEnvelope; attempt: number },
): DeliveryOutcome {
  const message = describeError(error);
  const flow = flowContext.of(envelope);
  if (error instanceof InvalidEventPayloadError) {
    return { kind: 'dead', reason: 'invalid-payload', error: message, flow };
  }
  if (error instanceof NonRetriableEventError) {
    return { kind: 'dead', reason: 'non-retriable', error: message, flow };
  }
  if (error instanceof RetryLaterError) {
    return { kind: 'later', delayMs: error.delayMs, error: message, flow };
  }
  const outage = outageOf(error);
  if (outage) return { kind: 'outage', outage, error: message, flow };
  if (attempt >= binding.maxDeliveries) {
    return { kind: 'dead', reason: 'max-deliveries', error: message, flow };
  }
  return { kind: 'retry', error: message, flow };
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
