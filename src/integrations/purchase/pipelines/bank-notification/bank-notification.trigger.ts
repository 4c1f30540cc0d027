import { Ctx, Payload } from '@nestjs/microservices';
import {
  EventTrigger,
  EventTriggerContext,
  Triggers,
} from '../../../../platform/event-bus/index.js';
import { ChannelDelivery, SUBSCRIBER_MAX_DELIVERIES } from '../../kernel/channel-delivery.js';
import { PurchaseCompleted, purchaseCompleted } from '../../kernel/purchase-completed.event.js';
import { notificationRetry, PurchaseReprocess } from '../../kernel/reprocess.events.js';
import { bankNotificationPipeline } from './bank-notification.pipeline.js';
import { NotificationServiceClient } from './notification-service.client.js';

/** Triggers of `bank-notification`: every completed purchase, and the reprocessing error treatment asks for. */
@Triggers()
export class BankNotificationTrigger {
  constructor(
    private readonly delivery: ChannelDelivery,
    private readonly service: NotificationServiceClient,
  ) {}

  @EventTrigger(purchaseCompleted, {
    pipeline: bankNotificationPipeline.name,
    maxDeliveries: SUBSCRIBER_MAX_DELIVERIES,
  })
  async onPurchaseCompleted(
    @Payload() purchase: PurchaseCompleted,
    @Ctx() ctx: EventTriggerContext,
  ): Promise<void> {
    await this.delivery.deliver(
      'notification',
      purchase,
      { eventId: ctx.getEnvelope().id },
      ctx,
      (p) => this.service.push(p),
    );
  }

  @EventTrigger(notificationRetry, {
    pipeline: bankNotificationPipeline.name,
    maxDeliveries: SUBSCRIBER_MAX_DELIVERIES,
  })
  async onNotificationRetry(
    @Payload() retry: PurchaseReprocess,
    @Ctx() ctx: EventTriggerContext,
  ): Promise<void> {
    const origin = { eventId: retry.originalEventId, reprocessAttempt: retry.attempt };
    await this.delivery.deliver('notification', retry.purchase, origin, ctx, (p) =>
      this.service.push(p),
    );
  }
}
