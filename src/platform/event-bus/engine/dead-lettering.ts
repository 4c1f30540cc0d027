import type { Logger } from '@nestjs/common';
import type { BusConfig } from '../event-bus.config.js';
import type { BusObservers } from '../bus-observers.js';
import { describeError } from '../../error-store/describe-error.js';
import { retryDelay } from '../../reliability/backoff.js';
import type { DeadLetterReason } from '../delivery/dead-letter.js';
import type { TriggerBinding } from '../delivery/trigger-binding.js';
import { envelopeOrText } from '../event-envelope.js';
import type { Received, SubscriptionBackend } from './subscription-backend.js';

/** Why an event is to be dead-lettered, kept while its dead letter could not be written. */
interface Owed {
  attempts: number;
  reason: DeadLetterReason;
  error: string;
}

/**
 * One subscription's dead-lettering: the backend stores the dead letter and acknowledges the
 * event atomically; when it could not, the event stays pending, comes back after a backoff,
 * and is dead-lettered then for the reason it first had rather than handled again.
 */
export class DeadLettering {
  /** Events whose dead letter could not be written, by id. */
  private readonly owed = new Map<string, Owed>();

  constructor(
    private readonly binding: TriggerBinding,
    private readonly backend: SubscriptionBackend,
    private readonly config: BusConfig,
    private readonly logger: Logger,
    private readonly observers: BusObservers,
  ) {}

  /** The dead-lettering owed for an event come back, or undefined when none is owed. */
  owedFor(event: Received, raw: string): Promise<void> | undefined {
    // Asked for every event handled: only a size check while nothing is owed.
    const owed = this.owed.size === 0 ? undefined : this.owed.get(event.id);
    if (!owed) return undefined;
    return this.deadLetter({ ...event, attempt: owed.attempts }, raw, owed.reason, owed.error);
  }

  /** Dead-letters an event after `event.attempt` deliveries; `raw` is what the dead letter keeps. */
  async deadLetter(
    event: Received,
    raw: string,
    reason: DeadLetterReason,
    error: string,
  ): Promise<void> {
    const { event: name, pipeline } = this.binding;
    const { id, attempt: attempts } = event;
    const letter = {
      event: name,
      pipeline,
      reason,
      error,
      attempts,
      deadAt: new Date().toISOString(),
      envelope: envelopeOrText(raw),
    };
    let result;
    try {
      result = await this.backend.deadLetter(id, letter, raw);
    } catch (failure) {
      this.owed.set(id, { attempts, reason, error });
      const { baseDelayMs, maxDelayMs } = this.config.retry;
      this.backend.retryLater(id, retryDelay(attempts, baseDelayMs, maxDelayMs));
      this.logger.error(
        `${name} ${id} could not be dead-lettered for ${pipeline} (${reason}): ${describeError(failure)}; ` +
          'it stays pending, and its dead-lettering is tried again after its backoff',
      );
      return;
    }
    this.owed.delete(id);
    if (result === 'not-pending') {
      this.logger.warn(
        `${name} ${id} was no longer pending in ${pipeline} when it was to be dead-lettered (${reason}): ` +
          'another consumer settled it; no dead letter written',
      );
      return;
    }
    this.logger.error(`${name} ${id} dead-lettered for ${pipeline} (${reason}): ${error}`);
    this.observers.deadLettered(letter);
  }
}
