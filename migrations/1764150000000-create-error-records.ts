import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from '../src/platform/persistence/index.js';

/** Error records: every error event a treatment pipeline receives, stored before alerting. */
export class CreateErrorRecords1764150000000 implements MigrationInterface {
  name = 'CreateErrorRecords1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'error_records',
        columns: [
          c.id(),
          c.string('error_event_id', 64),
          c.string('pipeline', 100),
          c.string('code', 100),
          c.largeText('message'),
          c.string('fingerprint', 64),
          c.string('correlation_id', 128),
          c.boolean('retriable'),
          c.string('status', 20),
          c.largeText('failed_event', true),
          c.largeText('reference', true),
          c.largeText('context', true),
          c.largeText('notifications', true),
          c.largeText('note', true),
          c.timestamp('occurred_at'),
          c.createdAt(),
          c.updatedAt(),
        ],
        indices: [
          new TableIndex({
            name: 'uq_error_records_error_event_id',
            columnNames: ['error_event_id'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'idx_error_records_fingerprint',
            columnNames: ['fingerprint', 'occurred_at'],
          }),
          new TableIndex({
            name: 'idx_error_records_pipeline_code',
            columnNames: ['pipeline', 'code', 'occurred_at'],
          }),
          new TableIndex({
            name: 'idx_error_records_status',
            columnNames: ['status', 'occurred_at'],
          }),
          new TableIndex({
            name: 'idx_error_records_correlation_id',
            columnNames: ['correlation_id'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('error_records');
  }
}
