import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The points a card earned, all purchases together. */
@Entity('loyalty_points')
export class LoyaltyBalance {
  @PrimaryColumn({ name: 'card_token', type: 'varchar', length: 64 })
  cardToken!: string;

  @Column({ type: 'int' })
  points!: number;
}
