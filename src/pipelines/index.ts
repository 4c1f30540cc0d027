import type { PipelineEntry } from '../platform/pipeline/index.js';
import { bankNotificationPipeline } from './bank-notification/bank-notification.pipeline.js';
import { BankNotificationModule } from './bank-notification/bank-notification.module.js';
import { errorTreatmentPipeline } from './error-treatment/error-treatment.pipeline.js';
import { ErrorTreatmentModule } from './error-treatment/error-treatment.module.js';
import { PurchasesModule } from './purchases/purchases.module.js';
import { purchasesPipeline } from './purchases/purchases.pipeline.js';
import { StoreReceiptModule } from './store-receipt/store-receipt.module.js';
import { storeReceiptPipeline } from './store-receipt/store-receipt.pipeline.js';
import { errorHandlingPipeline } from './error-handling/error-handling.pipeline.js';
import { ErrorHandlingModule } from './error-handling/error-handling.module.js';
import { extractPipeline } from './extract/extract.pipeline.js';
import { ExtractModule } from './extract/extract.module.js';
import { processPipeline } from './process/process.pipeline.js';
import { ProcessModule } from './process/process.module.js';
import { reprocessPipeline } from './reprocess/reprocess.pipeline.js';
import { ReprocessModule } from './reprocess/reprocess.module.js';
import { purchaseFlowConfig } from './purchase-flow/purchase-flow.config.js';
import { notificationServiceConfig } from './bank-notification/bank-notification.config.js';
import { errorTreatmentConfig } from './error-treatment/error-treatment.config.js';
import { importFlowConfig } from './import-flow/import-flow.config.js';
import { extractConfig } from './extract/extract.config.js';
import { targetConfig } from './process/process.config.js';
import { reprocessConfig } from './reprocess/reprocess.config.js';
import { errorHandlingConfig } from './error-handling/error-handling.config.js';

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
  // Asynchronous model (import flow): extract → process → reprocess → error handling.
  { pipeline: extractPipeline, module: ExtractModule },
  { pipeline: processPipeline, module: ProcessModule },
  { pipeline: reprocessPipeline, module: ReprocessModule },
  { pipeline: errorHandlingPipeline, module: ErrorHandlingModule },
];

/** The configuration fragments of those pipelines and their kernels. */
export const pipelineConfig = [
  purchaseFlowConfig,
  notificationServiceConfig,
  errorTreatmentConfig,
  importFlowConfig,
  extractConfig,
  targetConfig,
  reprocessConfig,
  errorHandlingConfig,
] as const;
