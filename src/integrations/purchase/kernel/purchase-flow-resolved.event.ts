import { defineResolutionEvent } from '../../../platform/error-store/index.js';

/**
 * The purchase flow's resolution event: a subscriber delivered what it had failed to
 * (reprocessing, a redelivery, the outbox), and error treatment resolves the errors about it.
 */
export const purchaseFlowResolved = defineResolutionEvent('purchase-flow.resolved');
