import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { portableColumns } from '../../../platform/persistence/index.js';

/**
 * The purchase outbox: how often a purchase was published again because none of its
 * deliveries was claimed, and not before when the next time may come. Pending deliveries are
 * indexed by status, so that the sweep reads the few still pending rather than every delivery
 * ever made; a delivery changes status twice (claimed, then sent), a cost the sweep's
 * every-15-seconds scan of the whole table would far exceed.
 */
export class AddPurchaseOutbox1764210000000 implements MigrationInterface {
  name = 'AddPurchaseOutbox1764210000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumns('purchases', [
      new TableColumn(c.integer('republishes', 0)),
      new TableColumn(c.timestamp('republish_after', true)),
    ]);
    await queryRunner.createIndex(
      'purchase_deliveries',
      new TableIndex({
        name: 'idx_purchase_deliveries_status',
        columnNames: ['status', 'purchase_id'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('purchase_deliveries', 'idx_purchase_deliveries_status');
    await queryRunner.dropColumns('purchases', ['republish_after', 'republishes']);
  }
}
