import { z } from 'zod';
import {
  type ConfigOf,
  cronExpression,
  defineConfig,
  envName,
  httpUrl,
  millis,
  positiveInt,
  sqlIdentifier,
} from '../../platform/config/index.js';
import { SOURCE_NAME } from './kernel/source-name.js';

/** A source read by the extract pipeline, chosen by name: never a URL or query from a request. */
const importSourceSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('sql'),
      /** 'default': the application's own database; otherwise the variable holding a mysql:// URL. */
      connection: z.union([z.literal('default'), z.object({ urlEnv: envName }).strict()]),
      /** A SELECT; the extractor wraps it for keyset pagination on `keyColumn`. */
      query: z.string().regex(/^\s*select\s/i, 'a SELECT statement'),
      keyColumn: sqlIdentifier,
      pageSize: positiveInt.max(10_000),
      cron: cronExpression.optional(),
      maxAttempts: positiveInt.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('http'),
      /** GET <url>?<cursorParam>=…&<limitParam>=… answering { <itemsField>: [...], <nextCursorField>: … }. */
      url: httpUrl,
      pageSize: positiveInt.max(10_000),
      keyField: z.string().min(1).optional(),
      itemsField: z.string().min(1).optional(),
      nextCursorField: z.string().min(1).optional(),
      cursorParam: z.string().min(1).optional(),
      limitParam: z.string().min(1).optional(),
      /** Variable holding a bearer token for the source. */
      tokenEnv: envName.optional(),
      timeoutMs: millis.optional(),
      cron: cronExpression.optional(),
      maxAttempts: positiveInt.optional(),
    })
    .strict(),
]);

/**
 * The asynchronous model's reference integration (`importFlow`): the sources its pipelines
 * read (extract) and retry (reprocess, whose attempt limit a source may set). Each pipeline's
 * own settings sit below it, in the pipeline's folder.
 */
export const importFlowConfig = defineConfig({
  key: 'importFlow',
  schema: z
    .object({
      sources: z.record(
        z.string().max(64).regex(SOURCE_NAME, 'lower-case source names'),
        importSourceSchema,
      ),
    })
    .strict(),
  defaults: {
    sources: {
      sample: {
        type: 'sql',
        connection: 'default',
        query: 'SELECT id, name, email, amount FROM sample_source_records',
        keyColumn: 'id',
        pageSize: 500,
      },
    },
  },
});

export type ImportFlowConfig = ConfigOf<typeof importFlowConfig>;
export type ImportSourceConfig = z.infer<typeof importSourceSchema>;

/**
 * How failed records are retried (`importFlow.reprocess`): the backoff `process` gives a
 * failure, and the schedule, attempts and leases of `reprocess`, which hands it back.
 */
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
