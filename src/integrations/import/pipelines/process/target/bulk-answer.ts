import { truncate } from '../../../../../platform/text/index.js';
import type { PostAnswer } from './json-poster.js';
import { TargetError } from './target-error.js';
import { statusFailure } from './target-status.js';

/** Longest answer to a bulk POST we read: ample for 1000 results, short of a memory attack. */
export const MAX_BULK_ANSWER_BYTES = 1024 * 1024;

/** Longest reason for a record we keep: enough to say what is wrong, short of a page of HTML. */
export const MAX_REASON_CHARS = 500;

/** One record's result: its status, and the reason the service gave, if any. */
interface BulkResult {
  status: number;
  reason?: string;
}

/**
 * Reads the target service's answer to a bulk POST of `count` records: a 2xx with
 * `{"results":[{"status":<HTTP status>}, …]}`, one result per record in order, each status
 * meaning for its record what it would for a POST of that record alone. A result's `error`,
 * else its `message`, is the service's reason: it ends that record's failure message, so the
 * Object Store entry and the error record say why the record was refused. Resolves with each
 * record's failure, or `undefined` where it was written. Any other status applies to every
 * record. A 2xx we cannot read says nothing about any record: all may be tried again (their
 * idempotency keys make a second write harmless), so all fail as retriable.
 */
export function readBulkAnswer(answer: PostAnswer, count: number): (TargetError | undefined)[] {
  const whole = statusFailure(answer.status, ` to a bulk request of ${count} records`);
  if (whole) return Array<TargetError>(count).fill(whole);
  const results = bulkResults(answer, count);
  if (typeof results === 'string') {
    const failure = new TargetError(
      `target service answered a bulk request of ${count} records with ${results}`,
      'target-bad-response',
      true,
    );
    return Array<TargetError>(count).fill(failure);
  }
  return results.map(({ status, reason }) =>
    statusFailure(status, ` for the record in a bulk request${reason ? `: ${reason}` : ''}`),
  );
}

/** The per-record results, or what is wrong with the answer. */
function bulkResults(answer: PostAnswer, count: number): BulkResult[] | string {
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
  const read: BulkResult[] = [];
  for (const [i, result] of results.entries()) {
    if (!isObject(result)) return noStatus(i);
    const status = result.status;
    // An HTTP status, since it is classified as one: 0 or 1000 would read as a refusal.
    if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)
      return noStatus(i);
    read.push({ status: status as number, reason: reasonOf(result) });
  }
  return read;
}

const noStatus = (i: number) => `results[${i}] with no HTTP status (an integer from 100 to 599)`;

/**
 * The first of `error` and `message` that is text with something in it, on one line (it ends
 * a log line and an alert) and cut at {@link MAX_REASON_CHARS}. Anything else says nothing.
 */
function reasonOf(result: Record<string, unknown>): string | undefined {
  for (const field of ['error', 'message']) {
    const value = result[field];
    if (typeof value !== 'string') continue;
    const text = value.replace(/[\s\p{Cc}]+/gu, ' ').trim();
    if (text) return truncate(text, MAX_REASON_CHARS, '…');
  }
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
