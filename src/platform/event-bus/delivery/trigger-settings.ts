import type { TriggerExtras } from '../event-trigger.decorator.js';

/** The bus-wide settings a trigger falls back on (`bus.*` in the configuration). */
export interface TriggerDefaults {
  maxDeliveries: number;
  concurrency: number;
  readBatchSize: number;
}

/** One trigger's settings as it runs: what it declared, else the bus defaults. */
export interface TriggerSettings {
  maxDeliveries: number;
  concurrency: number;
  /** Set for a batch trigger: the most events its handler takes at once. */
  batchSize?: number;
  /** Events a transport reads at once: a batch trigger's batch size, else `bus.readBatchSize`. */
  readSize: number;
}

/**
 * The one place a trigger's defaults are applied: the transports consume with these settings
 * and the registry shows them, so what an operator reads is what runs.
 */
export function triggerSettings(
  extras: Pick<TriggerExtras, 'maxDeliveries' | 'concurrency' | 'batch' | 'batchSize'>,
  defaults: TriggerDefaults,
): TriggerSettings {
  const concurrency = extras.concurrency ?? defaults.concurrency;
  const batchSize = extras.batch ? (extras.batchSize ?? concurrency) : undefined;
  return {
    maxDeliveries: extras.maxDeliveries ?? defaults.maxDeliveries,
    concurrency,
    batchSize,
    // A whole batch per read: the handler then gets the batches it was sized for.
    readSize: batchSize ?? defaults.readBatchSize,
  };
}
