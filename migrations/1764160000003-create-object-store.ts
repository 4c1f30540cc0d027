import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { portableColumns } from '../src/platform/persistence/index.js';

/** The Object Store: inputs pipelines could not process, with their error, until reprocessing settles them. */
export class CreateObjectStore1764160000003 implements MigrationInterface {
  name = 'CreateObjectStore1764160000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'object_store_entries',
        columns: [
          c.id(),
          c.string('store', 100),
          c.string('entry_key', 191),
          c.largeText('payload'),
          c.string('status', 20),
          c.integer('attempts', 0),
          c.boolean('retriable'),
          c.string('error_code', 100, true),
          c.largeText('last_error', true),
          c.timestamp('next_attempt_at', true),
          c.string('lease_owner', 64, true),
          c.timestamp('lease_until', true),
          c.timestamp('expires_at', true),
          c.createdAt(),
          c.updatedAt(),
        ],
        indices: [
          new TableIndex({
            name: 'uq_object_store_entries_store_key',
            columnNames: ['store', 'entry_key'],
            isUnique: true,
          }),
          // The reprocessor's two questions: which entries are due, and whose lease ran out.
          new TableIndex({
            name: 'idx_object_store_entries_due',
            columnNames: ['store', 'status', 'next_attempt_at'],
          }),
          new TableIndex({
            name: 'idx_object_store_entries_lease',
            columnNames: ['store', 'status', 'lease_until'],
          }),
          new TableIndex({ name: 'idx_object_store_entries_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('object_store_entries');
  }
}
