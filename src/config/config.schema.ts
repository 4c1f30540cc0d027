import { z } from 'zod';

const positiveInt = z.number().int().positive();
const millis = z.number().int().min(1);

/** Retention of one stream: by length (approximate, like `MAXLEN ~`) or by age, never both. */
const retentionSchema = z
  .object({
    maxLength: positiveInt.optional(),
    maxAgeMs: millis.optional(),
  })
  .strict()
  .refine((r) => !(r.maxLength && r.maxAgeMs), {
    message: 'set maxLength or maxAgeMs, not both (a Redis stream trims by one of them)',
  });

/** The synchronous model's reference flow: purchases, bank notification, store receipt. */
const purchaseFlowSchema = z
  .object({
    /** Where `bank-notification` POSTs push notifications; absent, each notification fails as not configured. */
    notificationService: z
      .object({
        url: z.httpUrl({ error: 'an http:// or https:// URL' }).optional(),
        timeoutMs: millis,
      })
      .strict(),
    /** How long a sender holds a delivery before another may take it over. */
    deliveryLeaseMs: millis,
    /** How long an `Idempotency-Key` stays locked by a request that never finished. */
    idempotencyLockMs: millis,
  })
  .strict();

const alertChannel = z.enum(['email', 'itsm']);

/** First matching rule wins; a rule without `pipeline` or `code` matches any. */
const errorTreatmentRuleSchema = z
  .object({
    pipeline: z.string().regex(/^[a-z0-9-]+$/, 'a pipeline name').optional(),
    code: z.string().min(1).optional(),
    action: z.enum(['alert', 'reprocess']),
    /** Where alerts go: at once for `alert`, once reprocessing is exhausted for `reprocess`. */
    channels: z.array(alertChannel),
    maxReprocess: z.number().int().min(1).max(10).optional(),
    severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  })
  .strict()
  .refine((rule) => rule.action !== 'reprocess' || rule.maxReprocess !== undefined, {
    message: 'a reprocess rule needs maxReprocess',
  });

const errorTreatmentSchema = z
  .object({
    /** Where e-mail alerts go; absent, the e-mail channel is skipped. */
    supportEmail: z.email().optional(),
    /** Errors alike (same fingerprint) within this window raise one alert. */
    aggregationWindowMs: millis,
    /** Wait before reprocessing attempt n: `delayMs * 2^(n-1)`, at most `maxDelayMs`. */
    reprocess: z.object({ delayMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) }).strict(),
    rules: z.array(errorTreatmentRuleSchema),
  })
  .strict();

export const configSchema = z
  .object({
    env: z.string().min(1),
    http: z
      .object({
        port: z.number().int().min(0).max(65535),
        globalPrefix: z.string().regex(/^[a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
        /** Addresses (IP or CIDR) of the gateway whose X-Forwarded-* headers are trusted. */
        trustedProxies: z.array(z.string().min(1)),
        bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 100kb or 1mb'),
      })
      .strict(),
    database: z
      .object({
        /** A mysql:// URL selects MySQL/MariaDB; absent, the embedded SQLite file. */
        url: z
          .string()
          .regex(/^(mysql|mariadb):\/\/.+/, 'a mysql:// or mariadb:// URL')
          .optional(),
        sqlitePath: z.string().min(1),
        migrateOnStart: z.boolean(),
        logging: z.boolean(),
      })
      .strict(),
    bus: z
      .object({
        /** Present, the Redis Streams transport; absent, the in-process one. */
        redisUrl: z
          .string()
          .regex(/^rediss?:\/\/.+/, 'a redis:// or rediss:// URL')
          .optional(),
        keyPrefix: z.string().regex(/^[A-Za-z0-9:_.-]+$/, 'letters, digits and : _ . -'),
        /** Publishing beyond this many hops from the first event is refused: it is a loop. */
        maxHops: positiveInt,
        maxDeliveries: positiveInt,
        concurrency: positiveInt,
        readBatchSize: positiveInt,
        blockMs: millis,
        retry: z.object({ baseDelayMs: millis, maxDelayMs: millis }).strict(),
        /** Pending events idle this long are taken over by a live replica. */
        claimIdleMs: millis,
        /** Where a new pipeline starts reading a stream that already holds events. */
        startFrom: z.enum(['earliest', 'latest']),
        retention: retentionSchema,
        streams: z.record(z.string(), retentionSchema),
        deadLetter: z.object({ maxLength: positiveInt }).strict(),
      })
      .strict(),
    /** The pipelines this process runs: `all`, or a list of names. */
    pipelines: z.union([
      z.literal('all'),
      z.array(z.string().regex(/^[a-z0-9-]+$/, 'lower-case pipeline names')).min(1),
    ]),
    shutdown: z.object({ timeoutMs: millis }).strict(),
    purchaseFlow: purchaseFlowSchema,
    errorTreatment: errorTreatmentSchema,
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
export type BusConfig = AppConfig['bus'];
export type PurchaseFlowConfig = AppConfig['purchaseFlow'];
export type ErrorTreatmentConfig = AppConfig['errorTreatment'];
export type ErrorTreatmentRule = ErrorTreatmentConfig['rules'][number];
export type RetentionConfig = z.infer<typeof retentionSchema>;
