import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * - `extracted`: published, not yet processed;
 * - `failed`: in the Object Store, awaiting reprocessing;
 * - `dead-lettered`: its event ended in the bus's dead letters; counted dead until it is
 *   processed again (the dead letter replayed, or the reprocess pipeline handing it back);
 * - `succeeded`: written to the target; `dead`: given up on.
 */
export type RecordState = 'extracted' | 'failed' | 'dead-lettered' | 'succeeded' | 'dead';

/**
 * The state of one record of an import. Progress is counted from these rows, and each state
 * change is a guarded UPDATE, so counts stay exact under concurrency and redelivery.
 */
// No index on (import_id, state): every state change would rewrite an entry of it, and its
// readers go through the primary key just as well (migration 1764190000000 dropped it).
@Entity('import_records')
export class ImportRecord {
  @PrimaryColumn({ name: 'import_id', type: 'varchar', length: 36 })
  importId!: string;

  @PrimaryColumn({ name: 'record_key', type: 'varchar', length: 150 })
  key!: string;

  @Column({ type: 'varchar', length: 20 })
  state!: RecordState;

  /** Failed at least once. */
  @Column({ type: 'boolean', default: false })
  retried!: boolean;

  /** Times the reprocess pipeline handed it back. */
  @Column({ type: 'int', default: 0 })
  reprocessed!: number;
}
