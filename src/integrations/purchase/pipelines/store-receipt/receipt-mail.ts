import type { EmailMessage } from '../../../../platform/notifiers/index.js';
import type { PurchaseCompleted } from '../../kernel/purchase-completed.event.js';
import { formatAmount } from '../../kernel/format-amount.js';

/** The receipt e-mail of a purchase. */
export function receiptMail(purchase: PurchaseCompleted): EmailMessage {
  const amount = formatAmount(purchase.amount, purchase.currency);
  return {
    to: purchase.purchaserEmail,
    subject: `Your receipt from ${purchase.merchantName}: ${amount}`,
    text: [
      `Thank you for your purchase at ${purchase.merchantName}.`,
      '',
      `Amount:   ${amount}`,
      `Date:     ${purchase.purchasedAt}`,
      `Purchase: ${purchase.purchaseId}`,
      '',
      'Keep this e-mail as your receipt.',
    ].join('\n'),
    // Lets the purchaser's mail client, and our tests, tie the receipt to its purchase.
    headers: { 'X-Purchase-Id': purchase.purchaseId },
  };
}
