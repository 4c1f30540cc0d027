import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { portableColumns } from '../../../../../platform/persistence/index.js';

/**
 * A purchase keeps the W3C trace context of the request that recorded it: the outbox's
 * republish continues that trace. Nullable: purchases from before, or untraced, have none.
 */
export class AddPurchaseTraceContext1764250000001 implements MigrationInterface {
  name = 'AddPurchaseTraceContext1764250000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumns('purchases', [
      new TableColumn(c.string('traceparent', 55, true)),
      new TableColumn(c.string('tracestate', 512, true)),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('purchases', ['traceparent', 'tracestate']);
  }
}
