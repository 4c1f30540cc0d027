export { DeadLetterAmbiguousError } from './dead-letter-ambiguous.error.js';
export { DeadLetterNotFoundError } from './dead-letter-not-found.error.js';
export { DeadLetterNotReplayableError } from './dead-letter-not-replayable.error.js';
export { HopLimitExceededError } from './hop-limit-exceeded.error.js';
export { InvalidEventPayloadError } from './invalid-event-payload.error.js';
export { NonRetriableEventError } from './non-retriable-event.error.js';
export { RetryLaterError } from './retry-later.error.js';
