import type { DeadLetter, DeadLetterReason } from '../../delivery/dead-letter.js';
import { envelopeOrText } from '../../event-envelope.js';

/** Field names of a stream entry. One JSON field keeps XADD and parsing to a single step. */
export const ENVELOPE_FIELD = 'envelope';
/** Set on a replay only: the one pipeline that handles the entry; the other groups skip it. */
export const TARGET_FIELD = 'pipeline';

/** A stream entry as ioredis returns it: id, then a flat field/value list (null once trimmed). */
export type StreamEntry = [id: string, fields: string[] | null];

export function fieldOf(fields: string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Reads a dead-letter entry (as written by the stream consumer) back. */
export function toDeadLetter(id: string, fields: string[] | null): DeadLetter {
  const envelope = envelopeOrText(fieldOf(fields, ENVELOPE_FIELD) ?? '');
  return {
    id,
    event: fieldOf(fields, 'event') ?? '',
    pipeline: fieldOf(fields, 'pipeline') ?? '',
    reason: (fieldOf(fields, 'reason') ?? 'max-deliveries') as DeadLetterReason,
    error: fieldOf(fields, 'error') ?? '',
    attempts: Number(fieldOf(fields, 'attempts') ?? 0),
    deadAt: fieldOf(fields, 'deadAt') ?? '',
    envelope,
  };
}
