import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

const unique = () => randomBytes(5).toString('hex');

/** A card of its own for a spec, under a new token: active, in EUR, with ample credit unless patched. */
export async function addCard(
  dataSource: DataSource,
  patch: { status?: string; currency?: string; creditLimit?: number } = {},
): Promise<string> {
  const token = `tok_test_${unique()}`;
  await dataSource.query(
    'INSERT INTO cards (token, status, currency, credit_limit, used) VALUES (?, ?, ?, ?, 0)',
    [token, patch.status ?? 'active', patch.currency ?? 'EUR', patch.creditLimit ?? 10_000_000],
  );
  return token;
}

/** A purchase of €12.50 at Corner Books on `cardToken`, by a new purchaser each time. */
export function purchaseRequest(cardToken: string, patch: Record<string, unknown> = {}) {
  return {
    cardToken,
    amount: 1250,
    currency: 'EUR',
    merchantId: 'corner-books',
    merchantName: 'Corner Books',
    purchaserEmail: `buyer-${unique()}@shop.test`,
    ...patch,
  };
}
