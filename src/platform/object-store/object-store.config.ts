import { z } from 'zod';
import { type ConfigOf, defineConfig, millis, positiveInt } from '../config/index.js';

/** The Object Store's housekeeping: how long settled entries stay, and the purge of expired ones. */
export const objectStoreConfig = defineConfig({
  key: 'objectStore',
  schema: z
    .object({
      /** How long an entry stays once done, unless its pipeline set its own expiry; then it is purged. */
      doneRetentionMs: millis,
      /** How often entries past their expiry are deleted, and how many per DELETE. */
      purge: z.object({ intervalMs: millis, batchSize: positiveInt.max(10_000) }).strict(),
    })
    .strict(),
  defaults: { doneRetentionMs: 604800000, purge: { intervalMs: 60000, batchSize: 1000 } },
  env: { doneRetentionMs: { name: 'OBJECT_STORE_DONE_RETENTION_MS', parse: 'integer' } },
});

export type ObjectStoreConfig = ConfigOf<typeof objectStoreConfig>;
