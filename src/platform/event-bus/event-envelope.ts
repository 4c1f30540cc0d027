import { randomUUID } from 'node:crypto';

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
}

export interface EnvelopeOrigin {
  correlationId?: string;
  causationId?: string;
  hops?: number;
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
