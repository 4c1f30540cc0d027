import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { flowContext } from '../../../../platform/event-bus/index.js';
import { inTransaction } from '../../../../platform/persistence/index.js';
import { DeliveryLedger } from '../../kernel/delivery-ledger.js';
import { Card } from './card.entity.js';
import type { CreatePurchaseRequest } from './dto/create-purchase.request.js';
import { PurchaseView } from './dto/purchase.view.js';
import { IdempotencyStore } from './idempotency/idempotency-store.js';
import { evaluatePurchase, type Rejection } from './purchase-rules.js';
import { currentTraceCarrier } from '../../../../platform/tracing/index.js';
import { Purchase } from './purchase.entity.js';

export interface RecordedPurchase {
  purchase: Purchase;
  view: PurchaseView;
}

/**
 * Records an accepted purchase in one short transaction: the credit it takes, the purchase,
 * its pending deliveries and the idempotent answer. The pending deliveries are the outbox:
 * committed with the purchase, they are what the outbox sweep finds when the process dies
 * before `purchase.completed` is published.
 */
@Injectable()
export class PurchaseRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: DeliveryLedger,
    private readonly idempotency: IdempotencyStore,
  ) {}

  record(
    request: CreatePurchaseRequest,
    claim?: { id: string; owner: string },
  ): Promise<RecordedPurchase | Rejection> {
    return inTransaction(this.dataSource, (manager) => this.recordIn(manager, request, claim));
  }

  /** Takes the credit with one conditional UPDATE, so concurrent purchases cannot overdraw a card. */
  private async recordIn(
    manager: EntityManager,
    request: CreatePurchaseRequest,
    claim: { id: string; owner: string } | undefined,
  ): Promise<RecordedPurchase | Rejection> {
    const taken = await manager
      .createQueryBuilder()
      .update(Card)
      .set({ used: () => 'used + :amount' })
      .where(
        "token = :token AND status = 'active' AND currency = :currency AND used + :amount <= credit_limit",
      )
      .setParameters({
        token: request.cardToken,
        currency: request.currency,
        amount: request.amount,
      })
      .execute();
    if (taken.affected !== 1) {
      // The card changed since the check (blocked, or its credit taken by another purchase).
      const card = await manager.findOneBy(Card, { token: request.cardToken });
      return (
        evaluatePurchase(request, card, null) ?? {
          code: 'over-limit',
          message: "the amount is above the card's available credit",
        }
      );
    }
    const trace = currentTraceCarrier();
    const purchase = manager.create(Purchase, {
      id: randomUUID(),
      cardToken: request.cardToken,
      amount: request.amount,
      currency: request.currency,
      merchantId: request.merchantId,
      merchantName: request.merchantName,
      purchaserEmail: request.purchaserEmail,
      correlationId: flowContext.current()?.correlationId ?? randomUUID(),
      createdAt: new Date(),
      republishes: 0,
      republishAfter: null,
      traceparent: trace.traceparent ?? null,
      tracestate: trace.tracestate ?? null,
    });
    await manager.insert(Purchase, purchase);
    await this.ledger.createPending(manager, purchase.id);
    const view = PurchaseView.of(purchase, []);
    if (claim) await this.idempotency.complete(manager, claim, 201, view);
    return { purchase, view };
  }
}
