import { definePipeline } from '../../../../platform/pipeline/index.js';
import { purchaseCompleted } from '../../kernel/purchase-completed.event.js';
import { purchaseFlowError } from '../../kernel/purchase-flow-error.event.js';
import { IndexIdempotencyKeysByAge1764200000000 } from './migrations/1764200000000-index-idempotency-keys-by-age.js';
import { AddPurchaseTraceContext1764250000001 } from './migrations/1764250000001-add-purchase-trace-context.js';

/** Business rule of the synchronous model: takes a purchase over REST and answers at once. */
export const purchasesPipeline = definePipeline({
  name: 'purchases',
  role: 'business-rule',
  description:
    'Validates a card purchase against the business rules, records it, answers 201 and publishes purchase.completed',
  publishes: [purchaseCompleted, purchaseFlowError],
  migrations: [IndexIdempotencyKeysByAge1764200000000, AddPurchaseTraceContext1764250000001],
});
