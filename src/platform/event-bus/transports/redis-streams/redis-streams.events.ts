/** Field names of a stream entry. One JSON field keeps XADD and parsing to a single step. */
export const ENVELOPE_FIELD = 'envelope';

/** Fields of a dead-letter entry. */
export const DEAD_LETTER_FIELDS = [
  'event',
  'pipeline',
  'reason',
  'error',
  'attempts',
  'deadAt',
  'envelope',
] as const;

/** A stream entry as ioredis returns it: id, then a flat field/value list (null once trimmed). */
export type StreamEntry = [id: string, fields: string[] | null];

export function fieldOf(fields: string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
