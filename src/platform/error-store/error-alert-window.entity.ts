import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The alert window of one error fingerprint; see {@link AlertThrottle}. */
@Entity('error_alert_windows')
export class ErrorAlertWindow {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  fingerprint!: string;

  /** When the last alert for this fingerprint went out: its window starts there. */
  @Column({ name: 'alerted_at', type: 'datetime', precision: 3 })
  alertedAt!: Date;

  /** The error record that raised it. */
  @Column({ name: 'alert_record_id', type: 'varchar', length: 36 })
  alertRecordId!: string;

  /** Alike errors held back since, reported by the next alert. */
  @Column({ type: 'int' })
  suppressed!: number;

  /** Compare-and-set guard: two replicas cannot both open a new window. */
  @Column({ type: 'int' })
  version!: number;
}
