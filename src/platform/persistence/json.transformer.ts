import type { ValueTransformer } from 'typeorm';

/**
 * JSON in a text column. TypeORM's `simple-json` does the same, but maps to `text` in
 * MySQL (64 KiB); our migrations choose the column size per database instead.
 */
export const jsonTransformer: ValueTransformer = {
  to: (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value)),
  from: (value: unknown) =>
    typeof value === 'string' ? (JSON.parse(value) as unknown) : (value ?? null),
};
