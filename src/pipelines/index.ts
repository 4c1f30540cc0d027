import type { PipelineEntry } from '../platform/pipeline/pipeline-definition.js';
import { bankNotificationPipeline } from './bank-notification/bank-notification.pipeline.js';
import { BankNotificationModule } from './bank-notification/bank-notification.module.js';
import { errorTreatmentPipeline } from './error-treatment/error-treatment.pipeline.js';
import { ErrorTreatmentModule } from './error-treatment/error-treatment.module.js';
import { PurchasesModule } from './purchases/purchases.module.js';
import { purchasesPipeline } from './purchases/purchases.pipeline.js';
import { StoreReceiptModule } from './store-receipt/store-receipt.module.js';
import { storeReceiptPipeline } from './store-receipt/store-receipt.pipeline.js';

/**
 * Every pipeline this application can run. `PIPELINES` picks among them by name, so each
 * can be deployed and scaled on its own.
 */
export const pipelineCatalogue: readonly PipelineEntry[] = [
  // Synchronous model: the purchase flow.
  { pipeline: purchasesPipeline, module: PurchasesModule },
  { pipeline: bankNotificationPipeline, module: BankNotificationModule },
  { pipeline: storeReceiptPipeline, module: StoreReceiptModule },
  { pipeline: errorTreatmentPipeline, module: ErrorTreatmentModule },
];
