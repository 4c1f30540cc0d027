import { DeadLetterNotReplayableError } from '../errors/dead-letter-not-replayable.error.js';
import type { EventEnvelope } from '../event-envelope.js';
import type { DeadLetter } from './dead-letter.js';

/** Which dead letter an id means when several events' dead letters share it. */
export interface DeadLetterSelector {
  /** Looks for the id among this event's dead letters only. */
  event?: string;
}

export interface ReplayOptions extends DeadLetterSelector {
  /** Replaces the payload; absent, the event is replayed as it was. */
  payload?: unknown;
}

/**
 * The envelope a dead letter is replayed with: the same event (id, flow) with the payload
 * possibly edited. It goes only to the pipeline that dead-lettered it, from delivery 1.
 */
export function replayEnvelope(letter: DeadLetter, options: ReplayOptions): EventEnvelope {
  if (typeof letter.envelope === 'string') throw new DeadLetterNotReplayableError(letter.id);
  return options.payload === undefined
    ? letter.envelope
    : { ...letter.envelope, payload: options.payload };
}
