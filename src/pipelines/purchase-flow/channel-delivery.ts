import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import type { EventTriggerContext } from '../../platform/event-bus/event-trigger.context.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { DeliveryFailure } from './delivery-failure.error.js';
import { describeError as describe, unexpectedErrorCode } from './describe-error.js';
import { FlowErrorReporter } from './flow-error-reporter.js';
import { type PurchaseCompleted, purchaseCompleted } from './purchase-completed.event.js';
import type { DeliveryChannel } from './purchase-delivery.entity.js';

/** Deliveries of one event a trigger makes before the bus dead-letters it; see {@link ChannelDelivery}. */
export const SUBSCRIBER_MAX_DELIVERIES = 3;

/** One channel's way of sending: returns the peer's reference, or throws a {@link DeliveryFailure}. */
export type Send = (purchase: PurchaseCompleted) => Promise<string | null>;

export interface DeliveryOrigin {
  /** Id of the original `purchase.completed` event. */
  eventId: string;
  /** Set when error treatment asked for this delivery again. */
  reprocessAttempt?: number;
}

export type DeliveryOutcome = 'sent' | 'already-sent' | 'held-elsewhere' | 'failed';

/**
 * How a subscriber of the purchase flow delivers a purchase on its channel, at most once:
 * claim the delivery in the ledger, send, record the outcome. A peer's failure (SMTP refusing,
 * the notification service answering 5xx) is recorded and published on the flow's error event
 * at once; error treatment decides on reprocessing. Anything unexpected (the database down)
 * is thrown so that the bus redelivers it, and published as an error only on the last
 * delivery, so that a blip does not page anyone. Provided by each subscriber's module.
 */
@Injectable()
export class ChannelDelivery {
  private readonly logger = new Logger(ChannelDelivery.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ledger: DeliveryLedger,
    private readonly errors: FlowErrorReporter,
  ) {}

  async deliver(
    channel: DeliveryChannel,
    purchase: PurchaseCompleted,
    origin: DeliveryOrigin,
    ctx: EventTriggerContext,
    send: Send,
  ): Promise<DeliveryOutcome> {
    const failed = { id: origin.eventId, name: purchaseCompleted.name, payload: purchase };
    const context = {
      purchaseId: purchase.purchaseId,
      channel,
      reprocessAttempt: origin.reprocessAttempt ?? 0,
    };
    try {
      const claim = await this.ledger.claim(
        purchase.purchaseId,
        channel,
        this.config.purchaseFlow.deliveryLeaseMs,
      );
      if (claim !== 'claimed') return claim;
      let reference: string | null;
      try {
        reference = await send(purchase);
      } catch (error) {
        const failure =
          error instanceof DeliveryFailure
            ? error
            : new DeliveryFailure(`${channel}-failed`, describe(error), true);
        await this.ledger.markFailed(purchase.purchaseId, channel, failure.message);
        await this.errors.report({
          code: failure.code,
          message: failure.message,
          retriable: failure.retriable,
          event: failed,
          context,
        });
        return 'failed';
      }
      await this.ledger.markSent(purchase.purchaseId, channel, reference);
      return 'sent';
    } catch (error) {
      if (ctx.getAttempt() < SUBSCRIBER_MAX_DELIVERIES) {
        this.logger.warn(
          `${channel} of purchase ${purchase.purchaseId} failed on delivery ${ctx.getAttempt()}, will be redelivered: ` +
            `${describe(error)} [correlationId=${ctx.getEnvelope().correlationId}]`,
        );
        throw error;
      }
      await this.errors.report({
        code: unexpectedErrorCode(error),
        message: `${channel} of purchase ${purchase.purchaseId}: ${describe(error)}`,
        retriable: true,
        event: failed,
        context,
      });
      return 'failed';
    }
  }
}
