import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { portableColumns } from '../src/platform/persistence/index.js';

/** One row per error fingerprint: when it last raised an alert, and how many alike errors it held back since. */
export class CreateErrorAlertWindows1764160000002 implements MigrationInterface {
  name = 'CreateErrorAlertWindows1764160000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'error_alert_windows',
        columns: [
          { ...c.string('fingerprint', 64), isPrimary: true },
          c.timestamp('alerted_at'),
          c.string('alert_record_id', 36),
          c.integer('suppressed', 0),
          c.integer('version', 0),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('error_alert_windows');
  }
}
