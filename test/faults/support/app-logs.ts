import type { DeadLetter } from '../../../src/platform/event-bus/delivery/dead-letter.js';

/**
 * Deliveries an app's log says failed ("<event> <id> failed in <pipeline> (delivery n of m)",
 * or a grouped line for several): for a scenario's notes, never asserted.
 */
export function failedDeliveryLines(log: string): number {
  return (log.match(/failed in [\w-]+ \(deliver/g) ?? []).length;
}

/** The first dead letters, one line each, for a scenario's notes. */
export function deadLetterSamples(deadLetters: DeadLetter[], count = 3): string[] {
  return deadLetters
    .slice(0, count)
    .map(
      (d) => `dead letter: ${d.event} for ${d.pipeline} (${d.reason}): ${d.error.slice(0, 160)}`,
    );
}
