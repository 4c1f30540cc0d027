import { z } from 'zod';
import {
  type ConfigOf,
  defineConfig,
  millis,
  positiveInt,
} from '../../../../platform/config/index.js';

/** The `error-handling` pipeline: who is told, and how errors are gathered into one ticket. */
export const errorHandlingConfig = defineConfig({
  key: 'importFlow.errorHandling',
  schema: z
    .object({
      /** Where the e-mail about errors goes; unset, no e-mail. */
      supportEmail: z.email().optional(),
      /** Errors alike (same import and code) arriving within this window make one ticket. */
      aggregationWindowMs: millis,
      flushIntervalMs: millis,
      /** Error records quoted in a ticket or e-mail. */
      samples: positiveInt.max(50),
      retry: z
        .object({ baseDelayMs: millis, maxDelayMs: millis, maxAttempts: positiveInt })
        .strict(),
    })
    .strict(),
  defaults: {
    aggregationWindowMs: 60000,
    flushIntervalMs: 15000,
    samples: 5,
    retry: { baseDelayMs: 30000, maxDelayMs: 1800000, maxAttempts: 10 },
  },
  env: { supportEmail: { name: 'IMPORT_SUPPORT_EMAIL', parse: 'string' } },
});

export type ErrorHandlingConfig = ConfigOf<typeof errorHandlingConfig>;
