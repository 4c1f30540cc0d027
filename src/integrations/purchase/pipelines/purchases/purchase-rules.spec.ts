import { describe, expect, it } from 'vitest';
import type { Card } from './card.entity.js';
import type { MerchantRule } from './merchant-rule.entity.js';
import { evaluatePurchase } from './purchase-rules.js';

const card = (patch: Partial<Card> = {}): Card =>
  ({
    token: 'tok_test_0001',
    status: 'active',
    currency: 'EUR',
    creditLimit: 10_000,
    used: 2_000,
    ...patch,
  }) as Card;
const merchant: MerchantRule = { merchantId: 'corner-books', fraudThreshold: 5_000 };
const asked = { amount: 1_000, currency: 'EUR', merchantId: 'corner-books' };

describe('purchase business rules', () => {
  it('accepts a purchase within credit, currency and fraud threshold', () => {
    expect(evaluatePurchase(asked, card(), merchant)).toBeNull();
    expect(evaluatePurchase({ ...asked, amount: 8_000 }, card(), null)).toBeNull();
  });

  it.each([
    ['card-unknown', asked, null, merchant],
    ['card-blocked', asked, card({ status: 'blocked' }), merchant],
    ['currency-mismatch', { ...asked, currency: 'USD' }, card(), merchant],
    ['fraud-suspected', { ...asked, amount: 5_001 }, card(), merchant],
    ['over-limit', { ...asked, amount: 8_001 }, card(), null],
  ] as const)('refuses with %s', (code, purchase, withCard, withMerchant) => {
    expect(evaluatePurchase(purchase, withCard, withMerchant)?.code).toBe(code);
  });

  it('reports the first rule broken: a blocked card before its currency or credit', () => {
    expect(
      evaluatePurchase(
        { ...asked, currency: 'USD', amount: 99_999 },
        card({ status: 'blocked' }),
        merchant,
      )?.code,
    ).toBe('card-blocked');
  });

  it('accepts a purchase that uses the last unit of credit', () => {
    expect(evaluatePurchase({ ...asked, amount: 8_000, merchantId: 'x' }, card(), null)).toBeNull();
  });
});
