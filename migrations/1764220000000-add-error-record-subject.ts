import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { portableColumns } from '../src/platform/persistence/index.js';

/**
 * What an error record is about (a delivery of a purchase, a record of an import), indexed:
 * when that subject later succeeds (reprocessing, a replayed dead letter, an operator's
 * retry), its error records are resolved with one UPDATE.
 */
export class AddErrorRecordSubject1764220000000 implements MigrationInterface {
  name = 'AddErrorRecordSubject1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumn('error_records', new TableColumn(c.string('subject', 191, true)));
    await queryRunner.createIndex(
      'error_records',
      new TableIndex({ name: 'idx_error_records_subject', columnNames: ['subject'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('error_records', 'idx_error_records_subject');
    await queryRunner.dropColumn('error_records', 'subject');
  }
}
