import { randomUUID } from 'node:crypto';
import type { TraceCarrier } from '../tracing/tracing.js';

/**
 * What travels on the bus: the payload plus what every pipeline needs to trace a flow.
 * `attempt` is not carried: the transport reports it with each delivery.
 */
export interface EventEnvelope<TPayload = unknown> {
  /** Unique per published event; a redelivery keeps it, so handlers can deduplicate on it. */
  id: string;
  name: string;
  payload: TPayload;
  /** Shared by every event of one flow, from the REST call or schedule that started it. */
  correlationId: string;
  /** Id of the event whose handler published this one; absent at the start of a flow. */
  causationId?: string;
  /** Pipeline that published the event. */
  source: string;
  publishedAt: string;
  /** How many events lie between the start of the flow and this one; stops publish loops. */
  hops: number;
  /**
   * W3C trace context of the span that published the event (absent when nothing is traced,
   * or from an older version: its handling then starts a new trace).
   */
  traceparent?: string;
  tracestate?: string;
}

export interface EnvelopeOrigin {
  correlationId?: string;
  causationId?: string;
  hops?: number;
  trace?: TraceCarrier;
}

export function createEnvelope<T>(
  name: string,
  payload: T,
  source: string,
  origin: EnvelopeOrigin = {},
): EventEnvelope<T> {
  const envelope: EventEnvelope<T> = {
    id: randomUUID(),
    name,
    payload,
    correlationId: origin.correlationId ?? randomUUID(),
    source,
    publishedAt: new Date().toISOString(),
    hops: origin.hops ?? 0,
  };
  if (origin.causationId) envelope.causationId = origin.causationId;
  if (origin.trace?.traceparent) envelope.traceparent = origin.trace.traceparent;
  if (origin.trace?.tracestate) envelope.tracestate = origin.trace.tracestate;
  return envelope;
}

export class MalformedEnvelopeError extends Error {
  override readonly name = 'MalformedEnvelopeError';
}

/** Reads an envelope off the wire; anything that is not one is refused, not guessed at. */
export function parseEnvelope(raw: string): EventEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new MalformedEnvelopeError('event is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) {
    throw new MalformedEnvelopeError('event is not a JSON object');
  }
  const e = value as Record<string, unknown>;
  for (const key of ['id', 'name', 'correlationId', 'source', 'publishedAt'] as const) {
    if (typeof e[key] !== 'string' || (e[key] as string).length === 0) {
      throw new MalformedEnvelopeError(`event envelope has no ${key}`);
    }
  }
  if (!Number.isInteger(e.hops) || (e.hops as number) < 0) {
    throw new MalformedEnvelopeError('event envelope has no valid hops count');
  }
  if (!('payload' in e)) throw new MalformedEnvelopeError('event envelope has no payload');
  // Trace context is a hint, not part of the contract: one that is not text is dropped (its
  // handling starts a new trace) rather than the event refused.
  if (e.traceparent !== undefined && typeof e.traceparent !== 'string') delete e.traceparent;
  if (e.tracestate !== undefined && typeof e.tracestate !== 'string') delete e.tracestate;
  return value as EventEnvelope;
}

/** An envelope kept as it came (a dead letter): parsed when it is JSON, else the text it was. */
export function envelopeOrText(raw: string): EventEnvelope | string {
  try {
    return JSON.parse(raw) as EventEnvelope;
  } catch {
    return raw;
  }
}
