import { defineErrorEvent } from '../../../platform/error-store/index.js';

/** The one error event of the purchase flow: every pipeline of the flow publishes its failures here. */
export const purchaseFlowError = defineErrorEvent('purchase-flow.error');
