import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes idempotency_keys by created_at: the purge looks for the oldest keys past their
 * retention a batch at a time, which without it reads the whole table for every batch.
 */
export class IndexIdempotencyKeysByAge1764200000000 implements MigrationInterface {
  name = 'IndexIdempotencyKeysByAge1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'idempotency_keys',
      new TableIndex({ name: 'idx_idempotency_keys_created_at', columnNames: ['created_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('idempotency_keys', 'idx_idempotency_keys_created_at');
  }
}
