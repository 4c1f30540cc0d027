import { NonRetriableEventError } from './non-retriable-event.error.js';

/** A flow published more events in a chain than `bus.maxHops` allows: almost surely a loop. */
export class HopLimitExceededError extends NonRetriableEventError {
  override readonly name = 'HopLimitExceededError';

  constructor(event: string, hops: number, maxHops: number) {
    super(
      `publishing '${event}' would be hop ${hops} of a flow limited to ${maxHops} (bus.maxHops): ` +
        'a pipeline probably republishes the events it receives',
    );
  }
}
