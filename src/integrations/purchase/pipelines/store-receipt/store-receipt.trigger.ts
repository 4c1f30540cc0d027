import { Ctx, Payload } from '@nestjs/microservices';
import {
  EventTrigger,
  EventTriggerContext,
  Triggers,
} from '../../../../platform/event-bus/index.js';
import { ChannelDelivery, SUBSCRIBER_MAX_DELIVERIES } from '../../kernel/channel-delivery.js';
import { PurchaseCompleted, purchaseCompleted } from '../../kernel/purchase-completed.event.js';
import { PurchaseReprocess, receiptRetry } from '../../kernel/reprocess.events.js';
import { ReceiptSender } from './receipt-sender.js';
import { storeReceiptPipeline } from './store-receipt.pipeline.js';

/** Triggers of `store-receipt`: every completed purchase, and the reprocessing error treatment asks for. */
@Triggers()
export class StoreReceiptTrigger {
  constructor(
    private readonly delivery: ChannelDelivery,
    private readonly sender: ReceiptSender,
  ) {}

  @EventTrigger(purchaseCompleted, {
    pipeline: storeReceiptPipeline.name,
    maxDeliveries: SUBSCRIBER_MAX_DELIVERIES,
  })
  async onPurchaseCompleted(
    @Payload() purchase: PurchaseCompleted,
    @Ctx() ctx: EventTriggerContext,
  ): Promise<void> {
    await this.delivery.deliver('receipt', purchase, { eventId: ctx.getEnvelope().id }, ctx, (p) =>
      this.sender.send(p),
    );
  }

  @EventTrigger(receiptRetry, {
    pipeline: storeReceiptPipeline.name,
    maxDeliveries: SUBSCRIBER_MAX_DELIVERIES,
  })
  async onReceiptRetry(
    @Payload() retry: PurchaseReprocess,
    @Ctx() ctx: EventTriggerContext,
  ): Promise<void> {
    const origin = { eventId: retry.originalEventId, reprocessAttempt: retry.attempt };
    await this.delivery.deliver('receipt', retry.purchase, origin, ctx, (p) => this.sender.send(p));
  }
}
