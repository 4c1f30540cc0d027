/**
 * Wait before delivery `attempt + 1` after `attempt` failed: exponential from `baseMs`,
 * capped at `maxMs`, with up to 20% jitter so that a burst of failures does not retry in step.
 */
export function retryDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.2 * random()));
}
