import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from '../../../platform/persistence/index.js';

/** The purchase flow: cards and merchant rules (business-rule data), purchases, their deliveries, idempotency keys. */
export class CreatePurchaseFlow1764160000000 implements MigrationInterface {
  name = 'CreatePurchaseFlow1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'cards',
        columns: [
          { ...c.string('token', 64), isPrimary: true },
          c.string('status', 20),
          c.string('currency', 3),
          c.integer('credit_limit'),
          c.integer('used', 0),
          c.createdAt(),
          c.updatedAt(),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'merchant_rules',
        columns: [
          { ...c.string('merchant_id', 64), isPrimary: true },
          c.integer('fraud_threshold'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'purchases',
        columns: [
          c.id(),
          c.string('card_token', 64),
          c.integer('amount'),
          c.string('currency', 3),
          c.string('merchant_id', 64),
          c.string('merchant_name', 200),
          c.string('purchaser_email', 254),
          c.string('correlation_id', 128),
          c.createdAt(),
        ],
        indices: [
          new TableIndex({
            name: 'idx_purchases_card_token',
            columnNames: ['card_token', 'created_at'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'purchase_deliveries',
        columns: [
          { ...c.string('purchase_id', 36), isPrimary: true },
          { ...c.string('channel', 20), isPrimary: true },
          c.string('status', 20),
          c.integer('attempts', 0),
          c.largeText('last_error', true),
          c.string('reference', 200, true),
          c.timestamp('claimed_until', true),
          c.timestamp('sent_at', true),
          c.createdAt(),
          c.updatedAt(),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { ...c.string('id', 191), isPrimary: true },
          c.string('request_hash', 64),
          c.string('status', 20),
          c.string('owner', 36),
          c.timestamp('locked_until'),
          { ...c.integer('response_status'), isNullable: true },
          c.largeText('response_body', true),
          c.createdAt(),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_keys',
      'purchase_deliveries',
      'purchases',
      'merchant_rules',
      'cards',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
