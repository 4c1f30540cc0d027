import { TargetError } from './target-error.js';

/**
 * The failure an HTTP status from the target service means for a record, or `undefined` for
 * a 2xx. Busy, throttled or broken may pass; any other refusal is about the data, so trying
 * again cannot help. `context` ends the message (e.g. which request said so).
 */
export function statusFailure(status: number, context = ''): TargetError | undefined {
  if (status >= 200 && status < 300) return undefined;
  const retriable = status >= 500 || status === 408 || status === 429;
  return new TargetError(
    `target service answered HTTP ${status}${context}`,
    retriable ? `target-http-${status}` : 'target-rejected',
    retriable,
  );
}
