import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { jsonTransformer } from '../persistence/json.transformer.js';

/**
 * The states of an entry, in the order it usually passes them (the transitions between them
 * are in `object-store-transitions.ts`):
 * - `pending`: waits for `nextAttemptAt`, when a reprocessor may claim it;
 * - `leased`: claimed by a reprocessor until `leaseUntil`;
 * - `reprocessing`: handed back to its pipeline, awaiting the outcome until `leaseUntil`;
 * - `done`: its pipeline succeeded at last; `dead`: given up on (by its reprocessor, or
 *   discarded by an operator: then its error code is `discarded`).
 */
export const OBJECT_STORE_STATUSES = ['pending', 'leased', 'reprocessing', 'done', 'dead'] as const;

export type ObjectStoreStatus = (typeof OBJECT_STORE_STATUSES)[number];

/** An input a pipeline could not process, kept with its error until reprocessing settles it. */
@Entity('object_store_entries')
@Index('uq_object_store_entries_store_key', ['store', 'key'], { unique: true })
@Index('idx_object_store_entries_due', ['store', 'status', 'nextAttemptAt'])
@Index('idx_object_store_entries_lease', ['store', 'status', 'leaseUntil'])
@Index('idx_object_store_entries_expires', ['expiresAt'])
export class ObjectStoreEntry {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Which store (one per pipeline or flow) the entry belongs to. */
  @Column({ type: 'varchar', length: 100 })
  store!: string;

  /** Unique within the store: storing the same key again updates the entry. */
  @Column({ name: 'entry_key', type: 'varchar', length: 191 })
  key!: string;

  @Column({ type: 'text', transformer: jsonTransformer })
  payload!: unknown;

  @Column({ type: 'varchar', length: 20 })
  status!: ObjectStoreStatus;

  /** Times the entry was handed back for reprocessing. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Whether trying again can help; a non-retriable entry is dead at its first review. */
  @Column({ type: 'boolean' })
  retriable!: boolean;

  @Column({ name: 'error_code', type: 'varchar', length: 100, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3, nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_until', type: 'datetime', precision: 3, nullable: true })
  leaseUntil!: Date | null;

  /**
   * After this a pending entry is no longer tried, and a pending or done one is purged. Set
   * by its pipeline, or by the done retention when it is done; none on a dead entry.
   */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3, nullable: true })
  expiresAt!: Date | null;

  /**
   * W3C trace context of the input's trace (its event's), so that its reprocessing continues
   * that trace; null when nothing was traced.
   */
  @Column({ type: 'varchar', length: 55, nullable: true })
  traceparent!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  tracestate!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
