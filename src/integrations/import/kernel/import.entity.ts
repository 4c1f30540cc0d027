import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { jsonTransformer } from '../../../platform/persistence/index.js';

/** Where the extraction of an import stands. */
export type ExtractionState = 'running' | 'done' | 'failed';

/** One run of the import flow over a source: its extraction cursor and lease. */
@Entity('imports')
@Index('idx_imports_extraction_lease', ['extraction', 'leaseUntil'])
export class Import {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  source!: string;

  @Column({ name: 'triggered_by', type: 'varchar', length: 20 })
  triggeredBy!: 'api' | 'schedule';

  /** Set for scheduled imports (source and minute): replicas firing the same cron tick make one import. */
  @Index('uq_imports_trigger_key', { unique: true })
  @Column({ name: 'trigger_key', type: 'varchar', length: 191, nullable: true })
  triggerKey!: string | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 128 })
  correlationId!: string;

  @Column({ type: 'varchar', length: 20 })
  extraction!: ExtractionState;

  /** The last source key published: a resumed extraction continues after it. */
  @Column({ name: 'extract_cursor', type: 'text', nullable: true, transformer: jsonTransformer })
  cursor!: string | number | null;

  /** Re-reading the source from the start, publishing only records whose event was lost. */
  @Column({ type: 'boolean', default: false })
  replay!: boolean;

  @Column({ name: 'lease_owner', type: 'varchar', length: 64, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_until', type: 'datetime', precision: 3, nullable: true })
  leaseUntil!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'extracted_at', type: 'datetime', precision: 3, nullable: true })
  extractedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
