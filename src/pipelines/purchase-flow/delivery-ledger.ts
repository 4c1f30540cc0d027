import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type EntityManager, Repository } from 'typeorm';
import { type DeliveryChannel, PurchaseDelivery } from './purchase-delivery.entity.js';

export const DELIVERY_CHANNELS: readonly DeliveryChannel[] = ['notification', 'receipt'];

/** What a sender may do with a delivery: send it, or leave it (already sent, or another sender holds it). */
export type ClaimResult = 'claimed' | 'already-sent' | 'held-elsewhere';

const MAX_ERROR_LENGTH = 2000;

/**
 * SQL true of a purchase (its id in the column `purchaseId`) none of whose deliveries any
 * sender has claimed: it has pending ones and no other. Read through the status index, so
 * that it costs what is pending, not every delivery ever made.
 */
export function neverClaimed(purchaseId: string): string {
  return (
    `${purchaseId} IN (SELECT pending.purchase_id FROM purchase_deliveries pending WHERE pending.status = 'pending') ` +
    `AND NOT EXISTS (SELECT 1 FROM purchase_deliveries other WHERE other.purchase_id = ${purchaseId} AND other.status <> 'pending')`
  );
}

/**
 * The delivery status of each purchase on each channel. Senders claim a delivery before
 * sending: the claim is one conditional UPDATE, so of two deliveries of the same event (a
 * redelivery, a reprocessing, two replicas) only one sends.
 */
@Injectable()
export class DeliveryLedger {
  constructor(
    @InjectRepository(PurchaseDelivery) private readonly deliveries: Repository<PurchaseDelivery>,
  ) {}

  /** Written with the purchase, in its transaction, so that a purchase always has its deliveries. */
  async createPending(manager: EntityManager, purchaseId: string): Promise<void> {
    await manager.insert(
      PurchaseDelivery,
      DELIVERY_CHANNELS.map((channel) => ({
        purchaseId,
        channel,
        status: 'pending' as const,
        attempts: 0,
      })),
    );
  }

  /** Takes the delivery for `leaseMs`; a sender that dies holding it loses it when the lease ends. */
  async claim(purchaseId: string, channel: DeliveryChannel, leaseMs: number): Promise<ClaimResult> {
    const now = new Date();
    const result = await this.deliveries
      .createQueryBuilder()
      .update(PurchaseDelivery)
      .set({
        status: 'sending',
        attempts: () => 'attempts + 1',
        claimedUntil: new Date(now.getTime() + leaseMs),
      })
      .where('purchase_id = :purchaseId AND channel = :channel', { purchaseId, channel })
      .andWhere(
        new Brackets((qb) =>
          qb
            .where("status IN ('pending', 'failed')")
            .orWhere("(status = 'sending' AND claimed_until < :now)", { now }),
        ),
      )
      .execute();
    if (result.affected === 1) return 'claimed';
    const current = await this.deliveries.findOneBy({ purchaseId, channel });
    if (!current) {
      // A purchase recorded before its deliveries existed (or rows removed by hand): start one.
      await this.deliveries
        .createQueryBuilder()
        .insert()
        .into(PurchaseDelivery)
        .values({ purchaseId, channel, status: 'pending', attempts: 0 })
        .orIgnore()
        .execute();
      return this.claim(purchaseId, channel, leaseMs);
    }
    return current.status === 'sent' ? 'already-sent' : 'held-elsewhere';
  }

  async markSent(
    purchaseId: string,
    channel: DeliveryChannel,
    reference: string | null,
  ): Promise<void> {
    await this.deliveries.update(
      { purchaseId, channel },
      {
        status: 'sent',
        reference: reference?.slice(0, 200) ?? null,
        sentAt: new Date(),
        claimedUntil: null,
        lastError: null,
      },
    );
  }

  async markFailed(purchaseId: string, channel: DeliveryChannel, error: string): Promise<void> {
    await this.deliveries.update(
      { purchaseId, channel },
      { status: 'failed', lastError: error.slice(0, MAX_ERROR_LENGTH), claimedUntil: null },
    );
  }

  forPurchase(purchaseId: string): Promise<PurchaseDelivery[]> {
    return this.deliveries.findBy({ purchaseId });
  }
}
