/**
 * Wait before try `attempt + 1` after try `attempt` failed: doubling from `baseMs`, at most
 * `maxMs`. The one backoff of the platform and its integrations: bus redeliveries, outage
 * probes, republished purchases, reprocessing, notification retries.
 */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * {@link backoff} less up to a fifth at random, so that a burst of failures does not retry
 * in step.
 */
export function retryDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  return Math.round(backoff(attempt, baseMs, maxMs) * (0.8 + 0.2 * random()));
}
