import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from '../../../platform/persistence/index.js';

/** The asynchronous model's bookkeeping: imports, the state of each record, and the target table. */
export class CreateImportFlow1764170000000 implements MigrationInterface {
  name = 'CreateImportFlow1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    const primary = (column: ReturnType<typeof c.string>) => ({ ...column, isPrimary: true });
    await queryRunner.createTable(
      new Table({
        name: 'imports',
        columns: [
          c.id(),
          c.string('source', 100),
          c.string('triggered_by', 20),
          c.string('trigger_key', 191, true),
          c.string('correlation_id', 128),
          c.string('extraction', 20),
          c.largeText('extract_cursor', true),
          { ...c.boolean('replay'), default: false },
          c.string('lease_owner', 64, true),
          c.timestamp('lease_until', true),
          c.largeText('error', true),
          c.timestamp('extracted_at', true),
          c.createdAt(),
          c.updatedAt(),
        ],
        indices: [
          new TableIndex({
            name: 'uq_imports_trigger_key',
            columnNames: ['trigger_key'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'idx_imports_extraction_lease',
            columnNames: ['extraction', 'lease_until'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'import_records',
        columns: [
          primary(c.string('import_id', 36)),
          primary(c.string('record_key', 150)),
          c.string('state', 20),
          { ...c.boolean('retried'), default: false },
          c.integer('reprocessed', 0),
        ],
        indices: [
          new TableIndex({ name: 'idx_import_records_state', columnNames: ['import_id', 'state'] }),
        ],
      }),
    );
    // The reference integration's target: what the process pipeline writes, one row per source record.
    await queryRunner.createTable(
      new Table({
        name: 'import_target_records',
        columns: [
          primary(c.string('source', 100)),
          primary(c.string('record_key', 150)),
          c.string('name', 200),
          c.string('email', 254),
          { name: 'amount_cents', type: 'bigint' },
          c.string('import_id', 36),
          c.timestamp('updated_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('import_target_records');
    await queryRunner.dropTable('import_records');
    await queryRunner.dropTable('imports');
  }
}
