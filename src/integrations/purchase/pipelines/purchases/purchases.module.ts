import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { DeliveryLedgerModule } from '../../kernel/delivery-ledger.module.js';
import { FlowErrorReporter } from '../../kernel/flow-error-reporter.js';
import { Card } from './card.entity.js';
import { IdempotencyKey } from './idempotency-key.entity.js';
import { IdempotencyKeyPurge } from './idempotency/idempotency-key-purge.js';
import { IdempotencyStore } from './idempotency/idempotency-store.js';
import { MerchantRule } from './merchant-rule.entity.js';
import { PurchaseOutboxSweep } from './outbox/purchase-outbox-sweep.js';
import { PurchaseOutbox } from './outbox/purchase-outbox.js';
import { PurchaseRecorder } from './purchase-recorder.js';
import { PurchaseService } from './purchase.service.js';
import { Purchase } from './purchase.entity.js';
import { PurchasesController } from './purchases.controller.js';
import { purchasesPipeline } from './purchases.pipeline.js';

const entities = [Card, MerchantRule, Purchase, IdempotencyKey];
const providers = [
  PurchaseService,
  PurchaseRecorder,
  IdempotencyStore,
  IdempotencyKeyPurge,
  FlowErrorReporter,
  PurchaseOutbox,
  PurchaseOutboxSweep,
];

@Module({
  imports: [
    PipelineModule.register(purchasesPipeline),
    TypeOrmModule.forFeature(entities),
    DeliveryLedgerModule,
  ],
  controllers: [PurchasesController],
  providers,
})
export class PurchasesModule {}
