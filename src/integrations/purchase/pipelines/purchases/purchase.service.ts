import { randomUUID } from 'node:crypto';
import {
  HttpException,
  Injectable,
  Logger,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { InjectConfig } from '../../../../platform/config/index.js';
import { type PurchaseFlowConfig, purchaseFlowConfig } from '../../purchase.config.js';
import { InjectPublisher, type Publisher } from '../../../../platform/event-bus/index.js';
import { describeError } from '../../../../platform/error-store/index.js';
import { DeliveryLedger } from '../../kernel/delivery-ledger.js';
import { unexpectedErrorCode } from '../../kernel/unexpected-error-code.js';
import { FlowErrorReporter } from '../../kernel/flow-error-reporter.js';
import {
  type PurchaseCompleted,
  purchaseCompleted,
} from '../../kernel/purchase-completed.event.js';
import { Card } from './card.entity.js';
import type { CreatePurchaseRequest } from './dto/create-purchase.request.js';
import { PurchaseView } from './dto/purchase.view.js';
import { IdempotencyStore } from './idempotency/idempotency-store.js';
import { requestHash } from './idempotency/request-hash.js';
import { MerchantRule } from './merchant-rule.entity.js';
import { evaluatePurchase, type Rejection } from './purchase-rules.js';
import { purchaseCompletedOf } from './purchase-completed-of.js';
import { Purchase } from './purchase.entity.js';
import { PurchaseRecorder } from './purchase-recorder.js';

export interface PurchaseAnswer {
  status: number;
  body: PurchaseView;
  /** The stored answer of an earlier request with the same `Idempotency-Key`. */
  replayed: boolean;
}

const IDEMPOTENCY_SCOPE = 'purchases';

/**
 * The business rule of the purchase flow: check the rules, record the purchase with its
 * pending deliveries (and the idempotent answer) in one short transaction (the
 * {@link PurchaseRecorder}), then publish `purchase.completed`, waiting a bounded time for the
 * broker. Refusals write nothing; unexpected failures are reported on the flow's error event
 * and answered 500.
 */
@Injectable()
export class PurchaseService {
  private readonly logger = new Logger('purchases');
  private readonly publishTimeoutMs: number;

  constructor(
    @InjectRepository(Card) private readonly cards: Repository<Card>,
    @InjectRepository(MerchantRule) private readonly merchantRules: Repository<MerchantRule>,
    @InjectRepository(Purchase) private readonly purchases: Repository<Purchase>,
    private readonly ledger: DeliveryLedger,
    private readonly recorder: PurchaseRecorder,
    private readonly idempotency: IdempotencyStore,
    private readonly errors: FlowErrorReporter,
    @InjectPublisher(purchaseCompleted) private readonly completed: Publisher<PurchaseCompleted>,
    @InjectConfig(purchaseFlowConfig) settings: PurchaseFlowConfig,
  ) {
    this.publishTimeoutMs = settings.publishTimeoutMs;
  }

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
      const recorded = await this.recorder.record(request, claim);
      if ('code' in recorded) throw refusal(recorded);
      await this.publish(recorded.purchase);
      return { status: 201, body: recorded.view, replayed: false };
    } catch (error) {
      // Nothing was recorded under the key (a recorded purchase stores its answer with it).
      if (claim) {
        await this.idempotency.release(claim).catch((releaseError: unknown) =>
          // The caller gets the first error; the key stays locked until its lock runs out.
          this.logger.warn(
            `an Idempotency-Key (${claim.id}) could not be released (${describeError(releaseError)}): ` +
              'retries with it are refused until its lock runs out',
          ),
        );
      }
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

  /**
   * Publishes `purchase.completed`, waiting at most `purchaseFlow.publishTimeoutMs` for the
   * broker: the caller's answer stays immediate while the broker is away. A publish still
   * pending then goes on in the background (it may well succeed once the broker is back; a
   * second publish by the outbox is harmless, the subscribers claim). Its failure is reported
   * in the background too: nothing here ever rejects unheard.
   */
  private async publish(purchase: Purchase): Promise<void> {
    const event = purchaseCompletedOf(purchase);
    const published = this.completed.publish(event).then(
      () => true,
      (error: unknown) => this.reportPublishFailure(purchase, event, error).then(() => false),
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.publishTimeoutMs);
    });
    const first = await Promise.race([published, waited]);
    clearTimeout(timer);
    if (first !== 'timeout') return;
    this.logger.warn(
      `purchase ${purchase.id} recorded; the broker has not taken purchase.completed within ` +
        `${this.publishTimeoutMs} ms: answered anyway, the publish goes on in the background ` +
        `and the outbox covers it [correlationId=${purchase.correlationId}]`,
    );
    void published.then((ok) => {
      if (ok)
        this.logger.log(
          `purchase ${purchase.id}: purchase.completed published late [correlationId=${purchase.correlationId}]`,
        );
    });
  }

  /**
   * The purchase is recorded and the caller gets its confirmation; the subscribers do not hear
   * of it yet. The error event alerts support; the outbox sweep publishes it again once its
   * grace is over, its deliveries still pending. Never rejects.
   */
  private async reportPublishFailure(
    purchase: Purchase,
    event: PurchaseCompleted,
    error: unknown,
  ): Promise<void> {
    await this.errors
      .report({
        code: 'publish-failed',
        message: `purchase ${purchase.id} recorded but purchase.completed not published: ${describeError(error)}`,
        retriable: true,
        event: { id: purchase.id, name: purchaseCompleted.name, payload: event },
        context: { purchaseId: purchase.id },
      })
      .catch((reportError: unknown) =>
        this.logger.error(`could not report publish-failed: ${describeError(reportError)}`),
      );
  }

  private async reportFailure(error: unknown, request: CreatePurchaseRequest): Promise<void> {
    await this.errors
      .report({
        code: unexpectedErrorCode(error),
        message: describeError(error),
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
        this.logger.error(`could not report a failure: ${describeError(reportError)}`),
      );
  }
}

function refusal(rejection: Rejection): UnprocessableEntityException {
  return new UnprocessableEntityException({ message: rejection.message, code: rejection.code });
}
