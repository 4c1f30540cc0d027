import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { jsonTransformer } from '../persistence/json.transformer.js';
import type { FailedEvent, FailedInputReference } from './pipeline-error.js';

export type ErrorRecordStatus = 'open' | 'alerted' | 'reprocessing' | 'resolved';

/** An error event as error treatment stored it, before alerting or reprocessing. */
@Entity('error_records')
@Index('idx_error_records_fingerprint', ['fingerprint', 'occurredAt'])
@Index('idx_error_records_pipeline_code', ['pipeline', 'code', 'occurredAt'])
@Index('idx_error_records_status', ['status', 'occurredAt'])
export class ErrorRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Id of the error event: a redelivered error event finds its record instead of adding one. */
  @Index('uq_error_records_error_event_id', { unique: true })
  @Column({ name: 'error_event_id', type: 'varchar', length: 64 })
  errorEventId!: string;

  @Column({ type: 'varchar', length: 100 })
  pipeline!: string;

  @Column({ type: 'varchar', length: 100 })
  code!: string;

  @Column({ type: 'text' })
  message!: string;

  /** pipeline + code (+ source-specific scope): errors alike for aggregation of alerts. */
  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  @Index('idx_error_records_correlation_id')
  @Column({ name: 'correlation_id', type: 'varchar', length: 128 })
  correlationId!: string;

  @Column({ type: 'boolean' })
  retriable!: boolean;

  @Column({ type: 'varchar', length: 20 })
  status!: ErrorRecordStatus;

  @Column({ name: 'failed_event', type: 'text', nullable: true, transformer: jsonTransformer })
  failedEvent!: FailedEvent | null;

  @Column({ type: 'text', nullable: true, transformer: jsonTransformer })
  reference!: FailedInputReference | null;

  /** What failed (a delivery, a record): a later success of the same subject resolves the record. */
  @Index('idx_error_records_subject')
  @Column({ type: 'varchar', length: 191, nullable: true })
  subject!: string | null;

  @Column({ type: 'text', nullable: true, transformer: jsonTransformer })
  context!: Record<string, unknown> | null;

  /** Where alerts went (e-mail, ITSM ticket id), or why they have not yet. */
  @Column({ type: 'text', nullable: true, transformer: jsonTransformer })
  notifications!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;

  /** The trace of the flow that failed (its error event's); null when nothing was traced. */
  @Column({ name: 'trace_id', type: 'varchar', length: 32, nullable: true })
  traceId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
