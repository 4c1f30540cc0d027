import { randomUUID } from 'node:crypto';
import {
  HttpException,
  Injectable,
  Logger,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { flowContext } from '../../platform/event-bus/flow-context.js';
import { InjectPublisher } from '../../platform/event-bus/inject-publisher.decorator.js';
import type { Publisher } from '../../platform/event-bus/publisher.js';
import { inTransaction } from '../../platform/persistence/in-transaction.js';
import { DeliveryLedger } from '../purchase-flow/delivery-ledger.js';
import { describeError as describe, unexpectedErrorCode } from '../purchase-flow/describe-error.js';
import { FlowErrorReporter } from '../purchase-flow/flow-error-reporter.js';
import {
  type PurchaseCompleted,
  purchaseCompleted,
} from '../purchase-flow/purchase-completed.event.js';
import { Card } from './card.entity.js';
import type { CreatePurchaseRequest } from './dto/create-purchase.request.js';
import { PurchaseView } from './dto/purchase.view.js';
import { IdempotencyStore } from './idempotency/idempotency-store.js';
import { requestHash } from './idempotency/request-hash.js';
import { MerchantRule } from './merchant-rule.entity.js';
import { evaluatePurchase, type Rejection } from './purchase-rules.js';
import { Purchase } from './purchase.entity.js';

export interface PurchaseAnswer {
  status: number;
  body: PurchaseView;
  /** The stored answer of an earlier request with the same `Idempotency-Key`. */
  replayed: boolean;
}

const IDEMPOTENCY_SCOPE = 'purchases';

/**
 * The business rule of the purchase flow: check the rules, record the purchase with its
 * pending deliveries (and the idempotent answer) in one short transaction, then publish
 * `purchase.completed`. Refusals write nothing; unexpected failures are reported on the
 * flow's error event and answered 500.
 */
@Injectable()
export class PurchaseService {
  private readonly logger = new Logger('purchases');

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Card) private readonly cards: Repository<Card>,
    @InjectRepository(MerchantRule) private readonly merchantRules: Repository<MerchantRule>,
    @InjectRepository(Purchase) private readonly purchases: Repository<Purchase>,
    private readonly ledger: DeliveryLedger,
    private readonly idempotency: IdempotencyStore,
    private readonly errors: FlowErrorReporter,
    @InjectPublisher(purchaseCompleted) private readonly completed: Publisher<PurchaseCompleted>,
  ) {}

  async create(request: CreatePurchaseRequest, idempotencyKey?: string): Promise<PurchaseAnswer> {
    try {
      return await this.createOrRefuse(request, idempotencyKey);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500) throw error;
      await this.reportFailure(error, request);
      throw error;
    }
  }

  async get(id: string): Promise<PurchaseView> {
    const purchase = await this.purchases.findOneBy({ id });
    if (!purchase)
      throw new NotFoundException({
        message: `no purchase has id ${id}`,
        code: 'purchase-not-found',
      });
    return PurchaseView.of(purchase, await this.ledger.forPurchase(id));
  }

  private async createOrRefuse(
    request: CreatePurchaseRequest,
    idempotencyKey?: string,
  ): Promise<PurchaseAnswer> {
    const claim = idempotencyKey
      ? await this.idempotency.claim(IDEMPOTENCY_SCOPE, idempotencyKey, requestHash(request))
      : undefined;
    if (claim?.kind === 'replay')
      return { status: claim.status, body: claim.body as PurchaseView, replayed: true };
    try {
      const rejection = await this.check(request);
      if (rejection) throw refusal(rejection);
      const recorded = await inTransaction(this.dataSource, (manager) =>
        this.record(manager, request, claim),
      );
      if ('code' in recorded) throw refusal(recorded);
      await this.publish(recorded.purchase);
      return { status: 201, body: recorded.view, replayed: false };
    } catch (error) {
      // Nothing was recorded under the key (a recorded purchase stores its answer with it).
      if (claim) await this.idempotency.release(claim).catch(() => undefined);
      throw error;
    }
  }

  private async check(request: CreatePurchaseRequest): Promise<Rejection | null> {
    const [card, merchant] = await Promise.all([
      this.cards.findOneBy({ token: request.cardToken }),
      this.merchantRules.findOneBy({ merchantId: request.merchantId }),
    ]);
    return evaluatePurchase(request, card, merchant);
  }

  /** Takes the credit with one conditional UPDATE, so concurrent purchases cannot overdraw a card. */
  private async record(
    manager: EntityManager,
    request: CreatePurchaseRequest,
    claim: { id: string; owner: string } | undefined,
  ): Promise<{ purchase: Purchase; view: PurchaseView } | Rejection> {
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
    });
    await manager.insert(Purchase, purchase);
    await this.ledger.createPending(manager, purchase.id);
    const view = PurchaseView.of(purchase, []);
    if (claim) await this.idempotency.complete(manager, claim, 201, view);
    return { purchase, view };
  }

  private async publish(purchase: Purchase): Promise<void> {
    const event: PurchaseCompleted = {
      purchaseId: purchase.id,
      cardToken: purchase.cardToken,
      amount: purchase.amount,
      currency: purchase.currency,
      merchantId: purchase.merchantId,
      merchantName: purchase.merchantName,
      purchaserEmail: purchase.purchaserEmail,
      purchasedAt: purchase.createdAt.toISOString(),
    };
    try {
      await this.completed.publish(event);
    } catch (error) {
      // The purchase is recorded and the caller gets its confirmation; the subscribers do not
      // hear of it. The error event carries it whole, for an operator (or reprocessing) to republish.
      await this.errors
        .report({
          code: 'publish-failed',
          message: `purchase ${purchase.id} recorded but purchase.completed not published: ${describe(error)}`,
          retriable: true,
          event: { id: purchase.id, name: purchaseCompleted.name, payload: event },
          context: { purchaseId: purchase.id },
        })
        .catch((reportError: unknown) =>
          this.logger.error(`could not report publish-failed: ${describe(reportError)}`),
        );
    }
  }

  private async reportFailure(error: unknown, request: CreatePurchaseRequest): Promise<void> {
    await this.errors
      .report({
        code: unexpectedErrorCode(error),
        message: describe(error),
        retriable: false,
        // The request itself, minus nothing secret: the card is a token, never a number.
        // A REST request has no event id: it gets one here; the correlation id ties it to the call.
        event: {
          id: randomUUID(),
          name: 'POST /api/v1/purchases',
          payload: { ...request },
        },
      })
      .catch((reportError: unknown) =>
        this.logger.error(`could not report a failure: ${describe(reportError)}`),
      );
  }
}

function refusal(rejection: Rejection): UnprocessableEntityException {
  return new UnprocessableEntityException({ message: rejection.message, code: rejection.code });
}
