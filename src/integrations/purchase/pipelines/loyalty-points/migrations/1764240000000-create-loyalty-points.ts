import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { portableColumns } from '../../../../../platform/persistence/index.js';

/** The points balance of each card (`loyalty-points`). */
export class CreateLoyaltyPoints1764240000000 implements MigrationInterface {
  name = 'CreateLoyaltyPoints1764240000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'loyalty_points',
        columns: [{ ...c.string('card_token', 64), isPrimary: true }, c.integer('points')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('loyalty_points');
  }
}
