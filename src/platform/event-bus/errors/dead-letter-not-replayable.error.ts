/** The dead letter holds bytes that were never an event envelope: there is nothing to replay. */
export class DeadLetterNotReplayableError extends Error {
  override readonly name = 'DeadLetterNotReplayableError';

  constructor(readonly id: string) {
    super(
      `dead letter '${id}' is not an event envelope (reason malformed-envelope) and cannot be replayed`,
    );
  }
}
