import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes handled_keys by handled_at: the purge deletes the oldest marks past their retention
 * a batch at a time, which without it reads the whole table for every batch.
 */
export class IndexHandledKeysByAge1764260000000 implements MigrationInterface {
  name = 'IndexHandledKeysByAge1764260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'handled_keys',
      new TableIndex({ name: 'idx_handled_keys_handled_at', columnNames: ['handled_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('handled_keys', 'idx_handled_keys_handled_at');
  }
}
