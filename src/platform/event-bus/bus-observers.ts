import type { Outage } from '../reliability/outage.js';
import type { DeadLetter, DeadLetterReason } from './delivery/dead-letter.js';
import type { DeliveryOutcome } from './delivery/deliver.js';

export interface DeliveryReport {
  event: string;
  pipeline: string;
  attempt: number;
  outcome: DeliveryOutcome['kind'];
  reason?: DeadLetterReason;
  durationMs: number;
}

/**
 * A trigger began to wait for its database or broker (`began`, at `since`), or found it
 * answering again (`ended`): reported once per trigger and episode, never per event. A
 * scheduled task that waits the same way (the reprocessor) reports as one, `event` naming it.
 */
export interface OutageReport extends Outage {
  event: string;
  pipeline: string;
  phase: 'began' | 'ended';
  /** When the trigger met the outage. */
  since: Date;
}

/** Something that wants to know what the bus does (metrics, tracing). Every method is optional. */
export interface BusObserver {
  published?(event: string, source: string): void;
  delivered?(report: DeliveryReport): void;
  /** After the dead letter is written: a pipeline may record that its input ended there. */
  deadLettered?(letter: Omit<DeadLetter, 'id'>): void;
  /** A trigger holds its events while its database or broker is away, or resumes. */
  outage?(report: OutageReport): void;
}

/**
 * The observers of this process's bus. Observability modules add themselves at start-up;
 * the transports report to all of them. An observer that throws is not allowed to break
 * delivery, so its errors are swallowed.
 */
export class BusObservers {
  private readonly observers: BusObserver[] = [];

  add(observer: BusObserver): void {
    this.observers.push(observer);
  }

  published(event: string, source: string): void {
    for (const observer of this.observers) {
      try {
        observer.published?.(event, source);
      } catch {
        // observers must not break publishing
      }
    }
  }

  delivered(report: DeliveryReport): void {
    for (const observer of this.observers) {
      try {
        observer.delivered?.(report);
      } catch {
        // observers must not break delivery
      }
    }
  }

  deadLettered(letter: Omit<DeadLetter, 'id'>): void {
    for (const observer of this.observers) {
      try {
        observer.deadLettered?.(letter);
      } catch {
        // observers must not break dead-lettering
      }
    }
  }

  outage(report: OutageReport): void {
    for (const observer of this.observers) {
      try {
        observer.outage?.(report);
      } catch {
        // observers must not break waiting out an outage
      }
    }
  }
}
