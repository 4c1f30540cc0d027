import { z } from 'zod';
import {
  type ConfigOf,
  defineConfig,
  envName,
  httpUrl,
  millis,
  positiveInt,
  sqlIdentifier,
} from '../../../../platform/config/index.js';

/** The `process` pipeline's target: a table, a service, or both. */
export const targetConfig = defineConfig({
  key: 'importFlow.target',
  schema: z
    .object({
      /** Table the process pipeline upserts into (columns: see the import-target migration). */
      table: sqlIdentifier.optional(),
      /** Service the process pipeline POSTs records to, each with an idempotency key. */
      httpUrl: httpUrl.optional(),
      /** Variable holding a bearer token for the target service. */
      tokenEnv: envName.optional(),
      timeoutMs: millis,
      /**
       * Records per POST to the target service: 1 POSTs each record alone; above 1, the
       * records of a batch go in chunks to a bulk endpoint answering a status per record.
       */
      httpBatchSize: positiveInt.max(1000),
    })
    .strict()
    .refine((t) => t.table || t.httpUrl, { message: 'set table, httpUrl or both' }),
  defaults: { table: 'import_target_records', timeoutMs: 10000, httpBatchSize: 1 },
  env: {
    httpUrl: { name: 'IMPORT_TARGET_URL', parse: 'string' },
    httpBatchSize: { name: 'IMPORT_TARGET_HTTP_BATCH_SIZE', parse: 'integer' },
  },
});

export type TargetConfig = ConfigOf<typeof targetConfig>;
