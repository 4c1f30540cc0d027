import { describe, expect, it } from 'vitest';
import { sqlSummary } from './sql-summary.js';

describe('sqlSummary', () => {
  it.each([
    ['INSERT INTO "purchases"("id", "amount") VALUES (?, ?)', 'INSERT', 'purchases'],
    ['INSERT OR IGNORE INTO "delivery_claims" ("id") VALUES (?)', 'INSERT', 'delivery_claims'],
    [
      'SELECT "Card"."token" AS "Card_token" FROM "cards" "Card" WHERE "Card"."token" = ?',
      'SELECT',
      'cards',
    ],
    [
      '  update `object_store_entries` SET state = ? WHERE id = ?',
      'UPDATE',
      'object_store_entries',
    ],
    ['UPDATE OR REPLACE [outbox] SET n = 1', 'UPDATE', 'outbox'],
    ['DELETE FROM "idempotency_keys" WHERE "expires_at" < ?', 'DELETE', 'idempotency_keys'],
  ])('%s: %s on %s', (statement, operation, collection) => {
    expect(sqlSummary(statement)).toEqual({ operation, collection });
  });

  it('names no table where none is plain: transactions, a subquery first', () => {
    expect(sqlSummary('BEGIN TRANSACTION')).toEqual({ operation: 'BEGIN' });
    expect(sqlSummary('COMMIT')).toEqual({ operation: 'COMMIT' });
    expect(sqlSummary('SELECT COUNT(*) FROM (SELECT 1 FROM "t") x')).toEqual({
      operation: 'SELECT',
    });
    expect(sqlSummary('')).toEqual({ operation: 'SQL' });
  });
});
