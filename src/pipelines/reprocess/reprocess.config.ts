import { z } from 'zod';
import { type ConfigOf, defineConfig, millis, positiveInt } from '../../platform/config/index.js';

/** The `reprocess` pipeline: its schedule, attempts, backoff and leases. */
export const reprocessConfig = defineConfig({
  key: 'importFlow.reprocess',
  schema: z
    .object({
      intervalMs: millis,
      /** Reprocessing attempts before a record is dead; a source may set its own. */
      maxAttempts: positiveInt,
      baseDelayMs: millis,
      maxDelayMs: millis,
      /** A claimed record not published within this is claimable again (its reprocessor died). */
      leaseMs: millis,
      /** A record republished but with no outcome after this is republished (the event was lost). */
      awaitMs: millis,
      batchSize: positiveInt.max(1000),
    })
    .strict(),
  defaults: {
    intervalMs: 10000,
    maxAttempts: 5,
    baseDelayMs: 30000,
    maxDelayMs: 3600000,
    leaseMs: 60000,
    awaitMs: 600000,
    batchSize: 200,
  },
});

export type ReprocessConfig = ConfigOf<typeof reprocessConfig>;
