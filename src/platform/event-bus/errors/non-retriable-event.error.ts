/**
 * Thrown by a handler when trying again cannot help (the data itself is wrong):
 * the event goes to the dead-letter stream at once instead of being redelivered.
 */
export class NonRetriableEventError extends Error {
  override readonly name: string = 'NonRetriableEventError';
}
