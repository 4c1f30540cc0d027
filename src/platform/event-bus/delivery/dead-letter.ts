import type { EventEnvelope } from '../event-envelope.js';

export type DeadLetterReason =
  /** The bytes on the stream are not an event envelope. */
  | 'malformed-envelope'
  /** The payload failed the trigger's DTO validation. */
  | 'invalid-payload'
  /** The handler threw a NonRetriableEventError. */
  | 'non-retriable'
  /** The handler failed on its last allowed delivery, or its consumer died on it. */
  | 'max-deliveries';

/** An event a pipeline gave up on, kept with why, for inspection and replay. */
export interface DeadLetter {
  /** Id of the dead-letter entry (not of the event). */
  id: string;
  event: string;
  pipeline: string;
  reason: DeadLetterReason;
  error: string;
  attempts: number;
  deadAt: string;
  /** The envelope as it was delivered; for a malformed one, the raw text. */
  envelope: EventEnvelope | string;
}
