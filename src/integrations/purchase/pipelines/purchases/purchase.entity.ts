import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A purchase the business rules accepted. Amounts in minor units. */
@Entity('purchases')
@Index('idx_purchases_card_token', ['cardToken', 'createdAt'])
export class Purchase {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'card_token', type: 'varchar', length: 64 })
  cardToken!: string;

  @Column({ type: 'int' })
  amount!: number;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ name: 'merchant_id', type: 'varchar', length: 64 })
  merchantId!: string;

  @Column({ name: 'merchant_name', type: 'varchar', length: 200 })
  merchantName!: string;

  @Column({ name: 'purchaser_email', type: 'varchar', length: 254 })
  purchaserEmail!: string;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128 })
  correlationId!: string;

  /** W3C trace context of the request that recorded it: the outbox's republish continues it. */
  @Column({ type: 'varchar', length: 55, nullable: true })
  traceparent!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  tracestate!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  /** Times the outbox published it again, a delivery of it never claimed or its lease run out. */
  @Column({ type: 'int', default: 0 })
  republishes!: number;

  /** The outbox publishes it again no sooner than this (null: `graceMs` after `createdAt`). */
  @Column({ name: 'republish_after', type: 'datetime', precision: 3, nullable: true })
  republishAfter!: Date | null;
}
