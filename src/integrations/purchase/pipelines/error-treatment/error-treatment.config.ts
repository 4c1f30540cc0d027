import { z } from 'zod';
import { type ConfigOf, defineConfig, millis } from '../../../../platform/config/index.js';
import { PIPELINE_NAME } from '../../../../platform/pipeline/index.js';

const alertChannel = z.enum(['email', 'itsm']);

/** First matching rule wins; a rule without `pipeline` or `code` matches any. */
const ruleSchema = z
  .object({
    pipeline: z.string().regex(PIPELINE_NAME, 'a pipeline name').optional(),
    code: z.string().min(1).optional(),
    action: z.enum(['alert', 'reprocess']),
    /** Where alerts go: at once for `alert`, once reprocessing is exhausted for `reprocess`. */
    channels: z.array(alertChannel),
    /** Each reprocessing adds two hops to the flow: 7 stays within the default `bus.maxHops` (16). */
    maxReprocess: z.number().int().min(1).max(7).optional(),
    severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  })
  .strict()
  .refine((rule) => rule.action !== 'reprocess' || rule.maxReprocess !== undefined, {
    message: 'a reprocess rule needs maxReprocess',
  });

/** The `error-treatment` pipeline: who is told, and which errors are reprocessed. */
export const errorTreatmentConfig = defineConfig({
  key: 'errorTreatment',
  schema: z
    .object({
      /** Where e-mail alerts go; absent, the e-mail channel is skipped. */
      supportEmail: z.email().optional(),
      /** Errors alike (same fingerprint) within this window raise one alert. */
      aggregationWindowMs: millis,
      /** Wait before reprocessing attempt n: `delayMs * 2^(n-1)`, at most `maxDelayMs`. */
      reprocess: z
        .object({ delayMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) })
        .strict(),
      rules: z.array(ruleSchema),
    })
    .strict(),
  defaults: {
    aggregationWindowMs: 300000,
    reprocess: { delayMs: 2000, maxDelayMs: 60000 },
    rules: [
      {
        pipeline: 'store-receipt',
        code: 'smtp-unavailable',
        action: 'reprocess',
        maxReprocess: 3,
        channels: ['email', 'itsm'],
      },
      {
        pipeline: 'bank-notification',
        code: 'notification-service-unavailable',
        action: 'reprocess',
        maxReprocess: 3,
        channels: ['itsm'],
      },
      { pipeline: 'purchases', action: 'alert', channels: ['email', 'itsm'], severity: 'high' },
      { action: 'alert', channels: ['email', 'itsm'] },
    ],
  },
  env: { supportEmail: { name: 'SUPPORT_EMAIL', parse: 'string' } },
});

export type ErrorTreatmentConfig = ConfigOf<typeof errorTreatmentConfig>;
export type ErrorTreatmentRule = ErrorTreatmentConfig['rules'][number];
