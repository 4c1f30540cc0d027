import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from '../../../platform/config/index.js';
import { type PurchaseFlowConfig, purchaseFlowConfig } from '../purchase.config.js';
import { describeError, type ErrorResolved } from '../../../platform/error-store/index.js';
import {
  RetryLaterError,
  type EventTriggerContext,
  InjectPublisher,
  type Publisher,
} from '../../../platform/event-bus/index.js';
import { type Claim, DeliveryLedger, deliverySubject } from './delivery-ledger.js';
import { DeliveryFailure } from './delivery-failure.error.js';
import { unexpectedErrorCode } from './unexpected-error-code.js';
import { FlowErrorReporter } from './flow-error-reporter.js';
import { type PurchaseCompleted, purchaseCompleted } from './purchase-completed.event.js';
import type { DeliveryChannel } from './purchase-delivery.entity.js';
import { purchaseFlowResolved } from './purchase-flow-resolved.event.js';
import { UnrecordedSends } from './unrecorded-sends.js';

/** Deliveries of one event a trigger makes before the bus dead-letters it; see {@link ChannelDelivery}. */
export const SUBSCRIBER_MAX_DELIVERIES = 3;

/**
 * How long after another sender's lease ends a delivery it holds comes back: the replicas'
 * clocks may differ a little, and coming back early costs only another wait.
 */
const LEASE_MARGIN_MS = 500;

/** One channel's way of sending: returns the peer's reference, or throws a {@link DeliveryFailure}. */
export type Send = (purchase: PurchaseCompleted) => Promise<string | null>;

export interface DeliveryOrigin {
  /** Id of the original `purchase.completed` event. */
  eventId: string;
  /** Set when error treatment asked for this delivery again. */
  reprocessAttempt?: number;
}

export type DeliveryOutcome = 'sent' | 'already-sent' | 'failed';

/**
 * How a subscriber of the purchase flow delivers a purchase on its channel, at most once:
 * claim the delivery in the ledger, send, record the outcome. A delivery another sender holds
 * under a live lease comes back once the lease ends (`RetryLaterError`, not counted as a
 * delivery), so a takeover never acknowledges it unsent. A peer's failure (SMTP refusing, the
 * notification service answering 5xx) is recorded and published on the flow's error event at
 * once; error treatment decides on reprocessing. Within one process, events of the same
 * delivery take turns. Anything unexpected (the database down) is
 * thrown so that the bus redelivers it, and published as an error only on the last delivery,
 * so that a blip does not page anyone. A send whose success cannot be recorded is recorded in
 * the background ({@link UnrecordedSends}). A success after failures publishes the flow's
 * resolution event, which resolves their error records. Provided by each subscriber's module.
 */
@Injectable()
export class ChannelDelivery {
  private readonly logger = new Logger(ChannelDelivery.name);
  /** Deliveries this process is working on, by subject: a second event of one waits for the first. */
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();

  constructor(
    @InjectConfig(purchaseFlowConfig) private readonly flow: PurchaseFlowConfig,
    private readonly ledger: DeliveryLedger,
    private readonly unrecorded: UnrecordedSends,
    private readonly errors: FlowErrorReporter,
    @InjectPublisher(purchaseFlowResolved) private readonly resolutions: Publisher<ErrorResolved>,
  ) {}

  async deliver(
    channel: DeliveryChannel,
    purchase: PurchaseCompleted,
    origin: DeliveryOrigin,
    ctx: EventTriggerContext,
    send: Send,
  ): Promise<DeliveryOutcome> {
    const subject = deliverySubject(purchase.purchaseId, channel);
    // Two events of one delivery in this process (a duplicate, a reprocessing) take turns: the
    // second finds it sent rather than held, and need not wait for the lease to end.
    for (let running = this.inFlight.get(subject); running; running = this.inFlight.get(subject))
      await running.catch(() => undefined);
    const work = this.deliverNow(channel, purchase, origin, ctx, send);
    this.inFlight.set(subject, work);
    try {
      return await work;
    } finally {
      if (this.inFlight.get(subject) === work) this.inFlight.delete(subject);
    }
  }

  private async deliverNow(
    channel: DeliveryChannel,
    purchase: PurchaseCompleted,
    origin: DeliveryOrigin,
    ctx: EventTriggerContext,
    send: Send,
  ): Promise<DeliveryOutcome> {
    const { purchaseId } = purchase;
    // Sent by this process and being recorded in the background: not sent again.
    if (this.unrecorded.has(purchaseId, channel)) return 'already-sent';
    const subject = deliverySubject(purchaseId, channel);
    const failed = { id: origin.eventId, name: purchaseCompleted.name, payload: purchase };
    const context = { purchaseId, channel, reprocessAttempt: origin.reprocessAttempt ?? 0 };
    let outcome: DeliveryOutcome;
    let resolves: boolean;
    try {
      const claim = await this.ledger.claim(purchaseId, channel, this.flow.deliveryLeaseMs);
      if (claim.kind === 'held-elsewhere') throw comeBackAfter(claim, channel, purchaseId);
      if (claim.kind === 'already-sent') {
        outcome = 'already-sent';
        // Sent after failing first: whatever asked again (reprocessing) is resolved too.
        resolves = claim.attempts > 1;
      } else {
        let reference: string | null;
        try {
          reference = await send(purchase);
        } catch (error) {
          const failure =
            error instanceof DeliveryFailure
              ? error
              : new DeliveryFailure(`${channel}-failed`, describeError(error), true);
          await this.ledger.markFailed(purchaseId, channel, failure.message);
          await this.errors.report({
            code: failure.code,
            message: failure.message,
            retriable: failure.retriable,
            event: failed,
            subject,
            context,
          });
          return 'failed';
        }
        await this.record(purchaseId, channel, reference);
        outcome = 'sent';
        resolves = claim.attemptsBefore > 0;
      }
    } catch (error) {
      if (error instanceof RetryLaterError) throw error;
      if (ctx.getAttempt() < SUBSCRIBER_MAX_DELIVERIES) {
        this.logger.warn(
          `${channel} of purchase ${purchaseId} failed on delivery ${ctx.getAttempt()}, will be redelivered: ` +
            `${describeError(error)} [correlationId=${ctx.getEnvelope().correlationId}]`,
        );
        throw error;
      }
      await this.errors.report({
        code: unexpectedErrorCode(error),
        message: `${channel} of purchase ${purchaseId}: ${describeError(error)}`,
        retriable: true,
        event: failed,
        subject,
        context,
      });
      return 'failed';
    }
    // Outside the try: should the broker refuse it, the bus redelivers the event, which finds
    // the delivery sent and publishes this again.
    if (resolves) await this.publishResolved(subject, channel, origin);
    return outcome;
  }

  /** "Sent", or, should the database fail just now, recorded in the background: never sent twice by this process. */
  private async record(
    purchaseId: string,
    channel: DeliveryChannel,
    reference: string | null,
  ): Promise<void> {
    try {
      await this.ledger.markSent(purchaseId, channel, reference);
    } catch (error) {
      this.logger.warn(
        `${channel} of purchase ${purchaseId} was sent but could not be recorded (${describeError(error)}): recording it in the background`,
      );
      this.unrecorded.remember(purchaseId, channel, reference);
    }
  }

  private async publishResolved(
    subject: string,
    channel: DeliveryChannel,
    origin: DeliveryOrigin,
  ): Promise<void> {
    const how = origin.reprocessAttempt
      ? `${channel} sent after reprocessing ${origin.reprocessAttempt}`
      : `${channel} sent after failing first`;
    await this.resolutions.publish({
      pipeline: this.resolutions.pipeline,
      subjects: [subject],
      how,
      resolvedAt: new Date().toISOString(),
    });
  }
}

/** Another sender holds the delivery: this event comes back once its lease ends, uncounted. */
function comeBackAfter(
  claim: Extract<Claim, { kind: 'held-elsewhere' }>,
  channel: DeliveryChannel,
  purchaseId: string,
): RetryLaterError {
  const delayMs = Math.max(0, claim.until.getTime() - Date.now()) + LEASE_MARGIN_MS;
  return new RetryLaterError(
    delayMs,
    `the ${channel} of purchase ${purchaseId} is held by another sender until ${claim.until.toISOString()}`,
  );
}
