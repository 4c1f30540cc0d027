import { Column, Entity, PrimaryColumn } from 'typeorm';
import { jsonTransformer } from '../../platform/persistence/index.js';

export type AuditOutcome = 'succeeded' | 'failed';

/** One admin action: who did what to what, when, and how it ended. */
@Entity('admin_audit')
export class AuditRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The token's subject, `api-key:<name>`, or the gateway's user. */
  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ name: 'auth_method', type: 'varchar', length: 20 })
  authMethod!: string;

  /** The actor's roles, comma-separated. */
  @Column({ type: 'varchar', length: 100 })
  roles!: string;

  /** e.g. `dead-letter.replay`, `pipeline.pause`. */
  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 50 })
  targetType!: string;

  @Column({ name: 'target_id', type: 'varchar', length: 200, nullable: true })
  targetId!: string | null;

  @Column({ type: 'varchar', length: 20 })
  outcome!: AuditOutcome;

  @Column({ name: 'status_code', type: 'int' })
  statusCode!: number;

  /** The request body (an edited payload, a note, a filter), as sent. */
  @Column({ type: 'text', nullable: true, transformer: jsonTransformer })
  details!: unknown;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128 })
  correlationId!: string;

  @Column({ name: 'client_address', type: 'varchar', length: 64, nullable: true })
  clientAddress!: string | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;
}
