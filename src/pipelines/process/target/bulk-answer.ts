import type { PostAnswer } from './json-poster.js';
import { TargetError } from './target-error.js';
import { statusFailure } from './target-status.js';

/** Longest answer to a bulk POST we read: ample for 1000 results, short of a memory attack. */
export const MAX_BULK_ANSWER_BYTES = 1024 * 1024;

/**
 * Reads the target service's answer to a bulk POST of `count` records: a 2xx with
 * `{"results":[{"status":<HTTP status>}, …]}`, one result per record in order, each status
 * meaning for its record what it would for a POST of that record alone. Resolves with each
 * record's failure, or `undefined` where it was written. Any other status applies to every
 * record. A 2xx we cannot read says nothing about any record: all may be tried again (their
 * idempotency keys make a second write harmless), so all fail as retriable.
 */
export function readBulkAnswer(answer: PostAnswer, count: number): (TargetError | undefined)[] {
  const whole = statusFailure(answer.status, ` to a bulk request of ${count} records`);
  if (whole) return Array<TargetError>(count).fill(whole);
  const statuses = resultStatuses(answer, count);
  if (typeof statuses === 'string') {
    const failure = new TargetError(
      `target service answered a bulk request of ${count} records with ${statuses}`,
      'target-bad-response',
      true,
    );
    return Array<TargetError>(count).fill(failure);
  }
  return statuses.map((status) => statusFailure(status, ' for the record in a bulk request'));
}

/** The per-record statuses, or what is wrong with the answer. */
function resultStatuses(answer: PostAnswer, count: number): number[] | string {
  if (answer.oversized) return `an answer longer than ${MAX_BULK_ANSWER_BYTES} bytes`;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return 'an answer that is not JSON';
  }
  const results = isObject(body) ? body.results : undefined;
  if (!Array.isArray(results)) return 'no "results" array';
  if (results.length !== count) return `a results array of ${results.length}`;
  const statuses: number[] = [];
  for (const [i, result] of results.entries()) {
    const status = isObject(result) ? result.status : undefined;
    // An HTTP status, since it is classified as one: 0 or 1000 would read as a refusal.
    if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)
      return `results[${i}] with no HTTP status (an integer from 100 to 599)`;
    statuses.push(status as number);
  }
  return statuses;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
