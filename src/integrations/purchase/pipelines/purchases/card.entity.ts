import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type CardStatus = 'active' | 'blocked';

/** A card as the business rules see it: its status, currency and credit. Amounts in minor units. */
@Entity('cards')
export class Card {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  token!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: CardStatus;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'credit_limit', type: 'int' })
  creditLimit!: number;

  /** Credit already taken by recorded purchases. */
  @Column({ type: 'int' })
  used!: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
