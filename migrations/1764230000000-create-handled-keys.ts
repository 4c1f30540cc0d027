import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { portableColumns } from '../src/platform/persistence/index.js';

/** The marks of idempotent subscribers (`HandledKeys`): one per pipeline and business key handled. */
export class CreateHandledKeys1764230000000 implements MigrationInterface {
  name = 'CreateHandledKeys1764230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'handled_keys',
        columns: [
          { ...c.string('pipeline', 100), isPrimary: true },
          { ...c.string('handled_key', 191), isPrimary: true },
          c.timestamp('handled_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('handled_keys');
  }
}
