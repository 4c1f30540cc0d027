import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { InjectConfig } from '../../../../../platform/config/index.js';
import { backoff } from '../../../../../platform/reliability/index.js';
import { type PurchaseFlowConfig, purchaseFlowConfig } from '../../../purchase.config.js';
import { InjectPublisher, type Publisher } from '../../../../../platform/event-bus/index.js';
import { unheard } from '../../../kernel/delivery-ledger.js';
import {
  type PurchaseCompleted,
  purchaseCompleted,
} from '../../../kernel/purchase-completed.event.js';
import { purchaseCompletedOf } from '../purchase-completed-of.js';
import { carrierOf } from '../../../../../platform/tracing/index.js';
import { Purchase } from '../purchase.entity.js';

/**
 * The other half of the transactional outbox. A purchase is committed with its pending
 * deliveries, then published; a process that dies in between leaves a purchase nobody hears
 * of. A purchase with a delivery still pending `graceMs` after it was recorded has most
 * likely not been published, or not heard by that subscriber (a broker restarted empty loses
 * each subscriber's copy apart), so it is published again, built from the
 * stored purchase under its own correlation id: a recorded purchase is always published, at
 * least once. So is one with a delivery claimed under a lease that ran out before it was
 * sent or failed (its sender died, or could not record the outcome): no delivery is left
 * `sending`. A duplicate is harmless: each subscriber claims its delivery with a conditional
 * UPDATE and leaves a sent one alone. A purchase is not republished every sweep while its
 * subscribers are down: the waits double from `graceMs` up to `maxDelayMs`.
 */
@Injectable()
export class PurchaseOutbox {
  private readonly logger = new Logger('PurchaseOutbox');
  private readonly settings: PurchaseFlowConfig['outbox'];

  constructor(
    @InjectConfig(purchaseFlowConfig) flow: PurchaseFlowConfig,
    @InjectRepository(Purchase) private readonly purchases: Repository<Purchase>,
    @InjectPublisher(purchaseCompleted) private readonly completed: Publisher<PurchaseCompleted>,
  ) {
    this.settings = flow.outbox;
  }

  /**
   * Publishes again up to `limit` purchases nobody heard, oldest first; returns how many
   * this process published (another replica may take some of the same batch).
   */
  async republishDue(limit: number, now = new Date()): Promise<number> {
    const due = await this.purchases
      .createQueryBuilder('purchase')
      .where(unheard('purchase.id'), { now })
      .andWhere('purchase.created_at < :cutoff', {
        cutoff: new Date(now.getTime() - this.settings.graceMs),
      })
      .andWhere('(purchase.republish_after IS NULL OR purchase.republish_after <= :now)', { now })
      .orderBy('purchase.created_at', 'ASC')
      .limit(limit)
      .getMany();
    let republished = 0;
    for (const purchase of due) {
      if (!(await this.take(purchase, now))) continue;
      // Continues the trace of the request that recorded it, as the first publish did.
      await this.completed.publish(purchaseCompletedOf(purchase), {
        correlationId: purchase.correlationId,
        trace: carrierOf(purchase),
      });
      this.logger.warn(
        `purchase ${purchase.id} had a delivery nobody claimed or whose lease ran out: purchase.completed published again ` +
          `(${purchase.republishes + 1}) [correlationId=${purchase.correlationId}]`,
      );
      republished++;
    }
    return republished;
  }

  /**
   * Counts the republish and sets the next one's earliest time before publishing, with one
   * conditional UPDATE: of two replicas sweeping at once, one publishes. Should the publish
   * then fail, the purchase waits for that next time.
   */
  private async take(purchase: Purchase, now: Date): Promise<boolean> {
    const wait = backoff(purchase.republishes + 1, this.settings.graceMs, this.settings.maxDelayMs);
    const taken = await this.purchases
      .createQueryBuilder()
      .update(Purchase)
      .set({
        republishes: () => 'republishes + 1',
        republishAfter: new Date(now.getTime() + wait),
      })
      .where('id = :id AND republishes = :seen', {
        id: purchase.id,
        seen: purchase.republishes,
      })
      .execute();
    return taken.affected === 1;
  }
}
