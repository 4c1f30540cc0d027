import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The channels a purchase is delivered on, one subscriber pipeline each. */
export type DeliveryChannel = 'notification' | 'receipt';

/** `sending` is held under a lease (`claimedUntil`), so a crashed sender does not block it for ever. */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * Where the delivery of one purchase on one channel stands. The subscriber pipelines write it;
 * it is also what keeps a reprocessed or redelivered event from sending twice.
 */
@Entity('purchase_deliveries')
@Index('idx_purchase_deliveries_status', ['status', 'purchaseId'])
export class PurchaseDelivery {
  @PrimaryColumn({ name: 'purchase_id', type: 'varchar', length: 36 })
  purchaseId!: string;

  @PrimaryColumn({ type: 'varchar', length: 20 })
  channel!: DeliveryChannel;

  @Column({ type: 'varchar', length: 20 })
  status!: DeliveryStatus;

  @Column({ type: 'int' })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The peer's id for what was sent: the e-mail's message id, the notification's id. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  reference!: string | null;

  @Column({ name: 'claimed_until', type: 'datetime', precision: 3, nullable: true })
  claimedUntil!: Date | null;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
