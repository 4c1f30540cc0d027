import type { PurchaseCompleted } from '../../kernel/purchase-completed.event.js';
import type { Purchase } from './purchase.entity.js';

/** The `purchase.completed` of a recorded purchase: one contract, published at once or by the outbox. */
export function purchaseCompletedOf(purchase: Purchase): PurchaseCompleted {
  return {
    purchaseId: purchase.id,
    cardToken: purchase.cardToken,
    amount: purchase.amount,
    currency: purchase.currency,
    merchantId: purchase.merchantId,
    merchantName: purchase.merchantName,
    purchaserEmail: purchase.purchaserEmail,
    purchasedAt: purchase.createdAt.toISOString(),
  };
}
