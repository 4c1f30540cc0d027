import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { truncate } from '../../../platform/text/index.js';
import { type DeliveryChannel, PurchaseDelivery } from './purchase-delivery.entity.js';

export const DELIVERY_CHANNELS: readonly DeliveryChannel[] = ['notification', 'receipt'];

/**
 * What a sender may do with a delivery: send it (`attemptsBefore`: 0 on the first try), leave
 * it (sent already, after `attempts` tries), or come back once another sender's lease ends.
 */
export type Claim =
  | { kind: 'claimed'; attemptsBefore: number }
  | { kind: 'already-sent'; attempts: number }
  | { kind: 'held-elsewhere'; until: Date };

const MAX_ERROR_LENGTH = 2000;

/** The subject of a delivery's errors (see `PipelineError.subject`): its success resolves them. */
export const deliverySubject = (purchaseId: string, channel: DeliveryChannel): string =>
  `${purchaseId}/${channel}`;

/**
 * SQL true of a purchase (its id in the column `purchaseId`) that one of its subscribers may
 * not have heard: a delivery nobody claimed (still pending), or one claimed under a lease that
 * ran out before it was sent or failed (its sender died, or could not record the outcome).
 * Per delivery, not per purchase: a broker that loses its streams (restarted empty) loses
 * each subscriber's copy of an event apart, so a sent receipt says nothing of the
 * notification. Read through the status index, so that it costs what is pending or being
 * sent, not every delivery ever made. Binds `:now`.
 */
export function unheard(purchaseId: string): string {
  const neverClaimed = `${purchaseId} IN (SELECT pending.purchase_id FROM purchase_deliveries pending WHERE pending.status = 'pending')`;
  const leaseRanOut = `${purchaseId} IN (SELECT held.purchase_id FROM purchase_deliveries held WHERE held.status = 'sending' AND held.claimed_until < :now)`;
  return `(${neverClaimed} OR ${leaseRanOut})`;
}

/**
 * The delivery status of each purchase on each channel. Senders claim a delivery before
 * sending: the claim is a conditional UPDATE, so of two deliveries of the same event (a
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

  /**
   * Takes the delivery for `leaseMs`; a sender that dies holding it loses it when the lease
   * ends. Read, then taken with one UPDATE guarded by what was read (status and attempts):
   * of two senders, one claims, and the other reads again and finds it held.
   */
  async claim(purchaseId: string, channel: DeliveryChannel, leaseMs: number): Promise<Claim> {
    for (;;) {
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
        continue;
      }
      const now = new Date();
      if (current.status === 'sent') return { kind: 'already-sent', attempts: current.attempts };
      if (current.status === 'sending' && current.claimedUntil && current.claimedUntil >= now)
        return { kind: 'held-elsewhere', until: current.claimedUntil };
      const taken = await this.deliveries
        .createQueryBuilder()
        .update(PurchaseDelivery)
        .set({
          status: 'sending',
          attempts: () => 'attempts + 1',
          claimedUntil: new Date(now.getTime() + leaseMs),
        })
        .where('purchase_id = :purchaseId AND channel = :channel', { purchaseId, channel })
        .andWhere('status = :status AND attempts = :attempts', {
          status: current.status,
          attempts: current.attempts,
        })
        .execute();
      if (taken.affected === 1) return { kind: 'claimed', attemptsBefore: current.attempts };
    }
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
        reference: reference == null ? null : truncate(reference, 200),
        sentAt: new Date(),
        claimedUntil: null,
        lastError: null,
      },
    );
  }

  async markFailed(purchaseId: string, channel: DeliveryChannel, error: string): Promise<void> {
    await this.deliveries.update(
      { purchaseId, channel },
      { status: 'failed', lastError: truncate(error, MAX_ERROR_LENGTH), claimedUntil: null },
    );
  }

  forPurchase(purchaseId: string): Promise<PurchaseDelivery[]> {
    return this.deliveries.findBy({ purchaseId });
  }
}
