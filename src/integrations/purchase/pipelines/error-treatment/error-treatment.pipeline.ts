import { definePipeline } from '../../../../platform/pipeline/index.js';
import { notificationRetry, receiptRetry } from '../../kernel/reprocess.events.js';
import { errorTreatmentConfig } from './error-treatment.config.js';

/**
 * The one error-treatment pipeline of the purchase flow: it stores every `purchase-flow.error`
 * the flow's pipelines publish, then alerts or asks the failed pipeline to reprocess.
 */
export const errorTreatmentPipeline = definePipeline({
  name: 'error-treatment',
  role: 'error-treatment',
  description:
    'Stores the purchase flow errors, then alerts support (e-mail, ITSM) or asks for reprocessing',
  publishes: [receiptRetry, notificationRetry],
  config: [errorTreatmentConfig],
});
