import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from '../src/platform/persistence/index.js';

/** The audit trail of the admin API: who did what to what, when, and how it ended. */
export class CreateAdminAudit1764180000000 implements MigrationInterface {
  name = 'CreateAdminAudit1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'admin_audit',
        columns: [
          c.id(),
          c.string('actor', 200),
          c.string('auth_method', 20),
          c.string('roles', 100),
          c.string('action', 100),
          c.string('target_type', 50),
          c.string('target_id', 200, true),
          c.string('outcome', 20),
          c.integer('status_code'),
          c.largeText('details', true),
          c.string('correlation_id', 128),
          c.string('client_address', 64, true),
          c.timestamp('occurred_at'),
        ],
        indices: [
          new TableIndex({ name: 'idx_admin_audit_occurred_at', columnNames: ['occurred_at'] }),
          new TableIndex({ name: 'idx_admin_audit_actor', columnNames: ['actor', 'occurred_at'] }),
          new TableIndex({
            name: 'idx_admin_audit_target',
            columnNames: ['target_type', 'target_id'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('admin_audit');
  }
}
