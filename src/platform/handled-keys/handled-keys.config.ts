import { z } from 'zod';
import { type ConfigOf, defineConfig, millis, positiveInt } from '../config/index.js';

/** How long the marks of handled keys are kept, and the purge of older ones. */
export const handledKeysConfig = defineConfig({
  key: 'handledKeys',
  schema: z
    .object({
      /**
       * How long a mark stays after the last delivery that carried its key; then it is purged.
       * A fact that comes back later is handled again: keep it above the longest wait between
       * two deliveries of one fact (a publisher's republishes check it, e.g. the purchase outbox).
       */
      retentionMs: millis,
      /** How often marks past their retention are deleted, and how many per DELETE. */
      purge: z.object({ intervalMs: millis, batchSize: positiveInt.max(10_000) }).strict(),
    })
    .strict(),
  defaults: { retentionMs: 2592000000, purge: { intervalMs: 60000, batchSize: 1000 } },
  env: { retentionMs: { name: 'HANDLED_KEYS_RETENTION_MS', parse: 'integer' } },
});

export type HandledKeysConfig = ConfigOf<typeof handledKeysConfig>;
