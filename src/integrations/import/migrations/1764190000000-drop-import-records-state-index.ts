import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Drops the (import_id, state) index of import_records. Every record's state changes as it is
 * processed, and each change rewrote an entry of this index: in bench:import it cost the
 * database more than the state change itself. Its readers, an import's counts and the
 * restart check of the in-process bus, read one import's records through the primary key
 * (import_id, record_key) just as well.
 */
export class DropImportRecordsStateIndex1764190000000 implements MigrationInterface {
  name = 'DropImportRecordsStateIndex1764190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('import_records', 'idx_import_records_state');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'import_records',
      new TableIndex({ name: 'idx_import_records_state', columnNames: ['import_id', 'state'] }),
    );
  }
}
