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
        /** How long a process waits for Redis at start before it stops with an error. */
        connectTimeoutMs: millis,
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
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
export type BusConfig = AppConfig['bus'];
export type RetentionConfig = z.infer<typeof retentionSchema>;
