import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { portableColumns } from '../../../platform/persistence/index.js';

const SAMPLE_ROWS = 25;

/**
 * The `sample` source of the default configuration: a small seeded table in the application's
 * own database, so that `POST /api/v1/imports {"source":"sample"}` works out of the box.
 */
export class CreateSampleSource1764170000001 implements MigrationInterface {
  name = 'CreateSampleSource1764170000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'sample_source_records',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          c.string('name', 200),
          c.string('email', 254),
          { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
        ],
      }),
    );
    const values: unknown[] = [];
    for (let id = 1; id <= SAMPLE_ROWS; id++) {
      values.push(id, `Customer ${id}`, `customer${id}@example.com`, (id * 10.5).toFixed(2));
    }
    const placeholders = Array.from({ length: SAMPLE_ROWS }, () => '(?, ?, ?, ?)').join(', ');
    await queryRunner.query(
      `INSERT INTO sample_source_records (id, name, email, amount) VALUES ${placeholders}`,
      values,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sample_source_records');
  }
}
