import { ApiProperty } from '@nestjs/swagger';
import type { PurchaseDelivery } from '../../../kernel/purchase-delivery.entity.js';
import type { Purchase } from '../purchase.entity.js';

/** Where one channel's delivery stands. */
export class DeliveryView {
  @ApiProperty({ enum: ['pending', 'sending', 'sent', 'failed'], example: 'sent' })
  status!: string;

  @ApiProperty({ description: 'Sending attempts so far, reprocessing included', example: 1 })
  attempts!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the last attempt failed',
    example: null,
  })
  lastError!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The peer's id: e-mail message id, notification id",
    example: '<a1b2@tributary>',
  })
  reference!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-11-26T10:00:01.204Z',
  })
  sentAt!: string | null;

  static of(delivery: PurchaseDelivery | undefined): DeliveryView {
    return {
      status: delivery?.status ?? 'pending',
      attempts: delivery?.attempts ?? 0,
      lastError: delivery?.lastError ?? null,
      reference: delivery?.reference ?? null,
      sentAt: delivery?.sentAt?.toISOString() ?? null,
    };
  }
}

export class PurchaseDeliveriesView {
  @ApiProperty({
    type: DeliveryView,
    description: 'Push notification by the bank app (bank-notification)',
  })
  notification!: DeliveryView;

  @ApiProperty({ type: DeliveryView, description: 'Receipt e-mailed by the store (store-receipt)' })
  receipt!: DeliveryView;
}

/** A recorded purchase and the delivery status of its notification and receipt. */
export class PurchaseView {
  @ApiProperty({ format: 'uuid', example: '0b7c4d0e-3f57-4c43-9b53-8f0b8a3f2c11' }) id!: string;
  @ApiProperty({ example: 'tok_demo_visa_0001' }) cardToken!: string;
  @ApiProperty({ description: 'Minor units', example: 1250 }) amount!: number;
  @ApiProperty({ example: 'EUR' }) currency!: string;
  @ApiProperty({ example: 'corner-books' }) merchantId!: string;
  @ApiProperty({ example: 'Corner Books' }) merchantName!: string;
  @ApiProperty({ example: 'ada@example.com' }) purchaserEmail!: string;
  @ApiProperty({ enum: ['completed'], example: 'completed' }) status!: 'completed';
  @ApiProperty({
    description: 'Id of the flow, in every event and log line it caused',
    example: 'c0ffee-42',
  })
  correlationId!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-26T10:00:00.512Z' }) purchasedAt!: string;
  @ApiProperty({ type: PurchaseDeliveriesView }) deliveries!: PurchaseDeliveriesView;

  static of(purchase: Purchase, deliveries: PurchaseDelivery[]): PurchaseView {
    const byChannel = (channel: string) =>
      DeliveryView.of(deliveries.find((d) => d.channel === channel));
    return {
      id: purchase.id,
      cardToken: purchase.cardToken,
      amount: purchase.amount,
      currency: purchase.currency,
      merchantId: purchase.merchantId,
      merchantName: purchase.merchantName,
      purchaserEmail: purchase.purchaserEmail,
      status: 'completed',
      correlationId: purchase.correlationId,
      purchasedAt: purchase.createdAt.toISOString(),
      deliveries: { notification: byChannel('notification'), receipt: byChannel('receipt') },
    };
  }
}
