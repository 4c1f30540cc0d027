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
import { SOURCE_NAME } from './source-name.js';

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
