import { defineIntegration } from '../../platform/pipeline/index.js';
import { CreatePurchaseFlow1764160000000 } from './migrations/1764160000000-create-purchase-flow.js';
import { SeedPurchaseFlowDemo1764160000001 } from './migrations/1764160000001-seed-purchase-flow-demo.js';
import { AddPurchaseOutbox1764210000000 } from './migrations/1764210000000-add-purchase-outbox.js';
import { BankNotificationModule } from './pipelines/bank-notification/bank-notification.module.js';
import { bankNotificationPipeline } from './pipelines/bank-notification/bank-notification.pipeline.js';
import { ErrorTreatmentModule } from './pipelines/error-treatment/error-treatment.module.js';
import { errorTreatmentPipeline } from './pipelines/error-treatment/error-treatment.pipeline.js';
import { LoyaltyPointsModule } from './pipelines/loyalty-points/loyalty-points.module.js';
import { loyaltyPointsPipeline } from './pipelines/loyalty-points/loyalty-points.pipeline.js';
import { PurchasesModule } from './pipelines/purchases/purchases.module.js';
import { purchasesPipeline } from './pipelines/purchases/purchases.pipeline.js';
import { StoreReceiptModule } from './pipelines/store-receipt/store-receipt.module.js';
import { storeReceiptPipeline } from './pipelines/store-receipt/store-receipt.pipeline.js';
import { purchaseFlowConfig } from './purchase.config.js';

/**
 * The synchronous model's reference integration: `purchases` answers its caller at once and
 * publishes `purchase.completed`; `bank-notification`, `store-receipt` and `loyalty-points`
 * subscribe to it; `error-treatment` takes the flow's errors, alerts or asks for reprocessing.
 * Its kernel holds the events, the delivery ledger the subscribers share and the error
 * reporting; `config` and `migrations` here are the kernel's: each pipeline brings its own in
 * its definition.
 */
export const purchaseIntegration = defineIntegration({
  name: 'purchase',
  description:
    'Card purchases: confirmed at once, then notified to the bank app, e-mailed and credited with loyalty points',
  pipelines: [
    { pipeline: purchasesPipeline, module: PurchasesModule },
    { pipeline: bankNotificationPipeline, module: BankNotificationModule },
    { pipeline: storeReceiptPipeline, module: StoreReceiptModule },
    { pipeline: errorTreatmentPipeline, module: ErrorTreatmentModule },
    { pipeline: loyaltyPointsPipeline, module: LoyaltyPointsModule },
  ],
  config: [purchaseFlowConfig],
  migrations: [
    CreatePurchaseFlow1764160000000,
    SeedPurchaseFlowDemo1764160000001,
    AddPurchaseOutbox1764210000000,
  ],
});
