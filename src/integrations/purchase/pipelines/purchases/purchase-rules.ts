import type { Card } from './card.entity.js';
import type { MerchantRule } from './merchant-rule.entity.js';

/** Why the business rules refuse a purchase: a stable code for clients to branch on. */
export type RejectionCode =
  'card-unknown' | 'card-blocked' | 'currency-mismatch' | 'fraud-suspected' | 'over-limit';

export interface Rejection {
  code: RejectionCode;
  message: string;
}

export interface PurchaseAsked {
  amount: number;
  currency: string;
  merchantId: string;
}

/**
 * The business rules of a purchase, in the order a refusal is reported. Pure, so that the
 * rules read as a list; the credit check is repeated atomically when the purchase is recorded.
 */
export function evaluatePurchase(
  asked: PurchaseAsked,
  card: Card | null,
  merchant: MerchantRule | null,
): Rejection | null {
  if (!card) return { code: 'card-unknown', message: 'no card has this token' };
  if (card.status !== 'active') return { code: 'card-blocked', message: 'the card is blocked' };
  if (card.currency !== asked.currency) {
    return {
      code: 'currency-mismatch',
      message: `the card is in ${card.currency}, the purchase in ${asked.currency}`,
    };
  }
  if (merchant && asked.amount > merchant.fraudThreshold) {
    return {
      code: 'fraud-suspected',
      message: `the amount is above the fraud threshold of merchant ${asked.merchantId}`,
    };
  }
  if (card.used + asked.amount > card.creditLimit) {
    return { code: 'over-limit', message: "the amount is above the card's available credit" };
  }
  return null;
}
