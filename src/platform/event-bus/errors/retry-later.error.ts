/**
 * Thrown by a handler for an event it cannot handle yet through no fault of the event (say,
 * another sender holds its delivery under a lease that has not ended): the bus delivers it
 * again after about `delayMs`, and this delivery does not count towards the trigger's
 * `maxDeliveries`.
 */
export class RetryLaterError extends Error {
  override readonly name: string = 'RetryLaterError';

  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(reason);
  }
}
