import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import { jsonTransformer } from '../../../../platform/persistence/index.js';

export type IdempotencyStatus = 'in-progress' | 'completed';

/**
 * An `Idempotency-Key` a client sent: the hash of its request and, once done, the answer it
 * got, replayed to every retry. The primary key makes two requests with one key take turns.
 */
@Entity('idempotency_keys')
@Index('idx_idempotency_keys_created_at', ['createdAt'])
export class IdempotencyKey {
  /** `<scope>:<key>`: the same key on two routes is two keys. */
  @PrimaryColumn({ type: 'varchar', length: 191 })
  id!: string;

  /** SHA-256 of the canonical request body. */
  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: IdempotencyStatus;

  /** The request holding the key; its lock ends at `lockedUntil` if it never finishes. */
  @Column({ type: 'varchar', length: 36 })
  owner!: string;

  @Column({ name: 'locked_until', type: 'datetime', precision: 3 })
  lockedUntil!: Date;

  @Column({ name: 'response_status', type: 'int', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'response_body', type: 'text', nullable: true, transformer: jsonTransformer })
  responseBody!: unknown;

  /** The first request with the key: its retention counts from here. */
  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
