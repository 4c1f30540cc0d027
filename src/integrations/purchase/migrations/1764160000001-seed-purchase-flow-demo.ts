import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Demo cards and merchant rules, so that `npm start` on the embedded default can take purchases at once. */
export const demoCards = [
  { token: 'tok_demo_visa_0001', status: 'active', currency: 'EUR', credit_limit: 1_000_000 },
  { token: 'tok_demo_blocked_0002', status: 'blocked', currency: 'EUR', credit_limit: 1_000_000 },
  { token: 'tok_demo_small_0003', status: 'active', currency: 'EUR', credit_limit: 5_000 },
  { token: 'tok_demo_usd_0004', status: 'active', currency: 'USD', credit_limit: 1_000_000 },
] as const;

export const demoMerchantRules = [
  { merchant_id: 'corner-books', fraud_threshold: 50_000 },
  { merchant_id: 'electro-mart', fraud_threshold: 300_000 },
] as const;

/**
 * Seeds the demo data on the embedded SQLite database only: a MySQL/MariaDB database is a
 * real deployment, whose cards and rules come from their owners, never from demo rows.
 */
export class SeedPurchaseFlowDemo1764160000001 implements MigrationInterface {
  name = 'SeedPurchaseFlowDemo1764160000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') return;
    for (const card of demoCards) {
      await queryRunner.query(
        'INSERT INTO cards (token, status, currency, credit_limit, used) VALUES (?, ?, ?, ?, 0)',
        [card.token, card.status, card.currency, card.credit_limit],
      );
    }
    for (const rule of demoMerchantRules) {
      await queryRunner.query(
        'INSERT INTO merchant_rules (merchant_id, fraud_threshold) VALUES (?, ?)',
        [rule.merchant_id, rule.fraud_threshold],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') return;
    for (const card of demoCards)
      await queryRunner.query('DELETE FROM cards WHERE token = ?', [card.token]);
    for (const rule of demoMerchantRules) {
      await queryRunner.query('DELETE FROM merchant_rules WHERE merchant_id = ?', [
        rule.merchant_id,
      ]);
    }
  }
}
