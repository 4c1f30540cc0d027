import { definePipeline } from '../../../../platform/pipeline/index.js';
import { purchaseFlowError } from '../../kernel/purchase-flow-error.event.js';
import { purchaseFlowResolved } from '../../kernel/purchase-flow-resolved.event.js';

/** Subscriber: the store e-mails the receipt of each purchase. It knows the event, never `purchases`. */
export const storeReceiptPipeline = definePipeline({
  name: 'store-receipt',
  role: 'subscriber',
  description: 'E-mails the receipt of each purchase to the purchaser over SMTP',
  publishes: [purchaseFlowError, purchaseFlowResolved],
});
