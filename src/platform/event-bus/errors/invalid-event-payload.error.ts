import { NonRetriableEventError } from './non-retriable-event.error.js';

/** The payload does not match the trigger's DTO; redelivering the same bytes cannot fix it. */
export class InvalidEventPayloadError extends NonRetriableEventError {
  override readonly name = 'InvalidEventPayloadError';

  constructor(readonly violations: string[]) {
    super(`invalid payload: ${violations.join('; ')}`);
  }
}
