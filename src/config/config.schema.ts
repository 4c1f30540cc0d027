import { validateCronExpression } from 'cron';
import { z } from 'zod';
import { normalizedPrefix, WELL_FORMED_HOST } from '../platform/http/gateway/forwarded-values.js';

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
        url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).optional(),
        timeoutMs: millis,
      })
      .strict(),
    /**
     * How long a sender holds a delivery before another may take it over. Any
     * `bus.claimIdleMs` works with it: a takeover that finds the lease live comes back after it.
     */
    deliveryLeaseMs: millis,
    /**
     * How long `POST /purchases` waits for the broker to take `purchase.completed` before it
     * answers anyway: the purchase is recorded, and the outbox publishes what the broker did not take.
     */
    publishTimeoutMs: millis.max(10_000),
    /** How long an `Idempotency-Key` stays locked by a request that never finished. */
    idempotencyLockMs: millis,
    /** How long after its first request a key answers retries; then it is new again. */
    idempotencyRetentionMs: millis,
    /** How often keys past their retention are deleted, and how many per DELETE. */
    idempotencyPurge: z.object({ intervalMs: millis, batchSize: positiveInt.max(10_000) }).strict(),
    /**
     * The outbox sweep: every `intervalMs`, a purchase whose deliveries are all still pending
     * `graceMs` after it was recorded is published again, then again after doubling waits
     * (from `graceMs`, at most `maxDelayMs`), `batchSize` per query.
     */
    outbox: z
      .object({
        graceMs: millis,
        maxDelayMs: millis,
        intervalMs: millis,
        batchSize: positiveInt.max(1000),
      })
      .strict()
      .refine((outbox) => outbox.maxDelayMs >= outbox.graceMs, {
        path: ['maxDelayMs'],
        message: 'at least graceMs (the first wait between two republishes)',
      }),
  })
  .strict();

/** The Object Store's housekeeping: how long settled entries stay, and the purge of expired ones. */
const objectStoreSchema = z
  .object({
    /** How long an entry stays once done, unless its pipeline set its own expiry; then it is purged. */
    doneRetentionMs: millis,
    /** How often entries past their expiry are deleted, and how many per DELETE. */
    purge: z.object({ intervalMs: millis, batchSize: positiveInt.max(10_000) }).strict(),
  })
  .strict();

const alertChannel = z.enum(['email', 'itsm']);

/** First matching rule wins; a rule without `pipeline` or `code` matches any. */
const errorTreatmentRuleSchema = z
  .object({
    pipeline: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'a pipeline name')
      .optional(),
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

const errorTreatmentSchema = z
  .object({
    /** Where e-mail alerts go; absent, the e-mail channel is skipped. */
    supportEmail: z.email().optional(),
    /** Errors alike (same fingerprint) within this window raise one alert. */
    aggregationWindowMs: millis,
    /** Wait before reprocessing attempt n: `delayMs * 2^(n-1)`, at most `maxDelayMs`. */
    reprocess: z
      .object({ delayMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) })
      .strict(),
    rules: z.array(errorTreatmentRuleSchema),
  })
  .strict();

/** An SQL identifier we interpolate into a query: letters, digits and underscores only. */
const sqlIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'an SQL identifier (letters, digits, _)');
const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'the name of an environment variable');
/** Five fields, minute precision: replicas firing the same tick agree on its minute. */
const cronExpression = z
  .string()
  .refine(
    (value) => value.trim().split(/\s+/).length === 5 && validateCronExpression(value).valid,
    'a five-field cron expression such as "0 2 * * *"',
  );

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
      url: z.url({ protocol: /^https?$/ }),
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

const importFlowSchema = z
  .object({
    sources: z.record(
      z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case source names'),
      importSourceSchema,
    ),
    extract: z
      .object({
        /** An extraction renews its lease every page; a lease this old belongs to a dead process. */
        leaseMs: millis,
        /** How often unfinished extractions of dead processes are looked for and resumed. */
        resumeIntervalMs: millis,
        /**
         * Extraction waits while the process pipeline has more extracted records than this
         * to finish: Redis memory stays bounded and retention never trims unread records.
         */
        maxBacklog: positiveInt,
      })
      .strict(),
    target: z
      .object({
        /** Table the process pipeline upserts into (columns: see the import-target migration). */
        table: sqlIdentifier.optional(),
        /** Service the process pipeline POSTs records to, each with an idempotency key. */
        httpUrl: z.url({ protocol: /^https?$/ }).optional(),
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
    reprocess: z
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
    errorHandling: z
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
  })
  .strict();

/** A target field name, or null to leave the incident field out of the ticket. */
const itsmField = z.string().min(1).nullable();
const itsmValue = z.union([z.string(), z.number(), z.boolean()]);
const dotPath = z
  .string()
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a dot path such as result.number');

function hasCredentials(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.username !== '' || parsed.password !== '';
}

/** Where alerts go: e-mail over SMTP and incidents in an ITSM tool (ServiceNow by default). */
const notifiersSchema = z
  .object({
    email: z
      .object({
        /** Absent, e-mail is not configured. May carry credentials, so only from `SMTP_URL`. */
        smtpUrl: z
          .string()
          .regex(/^smtps?:\/\/\S+$/, 'an smtp:// or smtps:// URL')
          .optional(),
        from: z.string().min(1).max(320),
        timeoutMs: millis,
      })
      .strict(),
    itsm: z
      .object({
        /** The full incident endpoint; absent, the ITSM tool is not configured. */
        url: z
          .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
          .refine((url) => !hasCredentials(url), {
            message: 'credentials go in ITSM_USERNAME/ITSM_PASSWORD or ITSM_TOKEN, not in the URL',
          })
          .optional(),
        username: z.string().min(1).optional(),
        /** Secrets: only from the environment (`ITSM_PASSWORD`, `ITSM_TOKEN`). */
        password: z.string().min(1).optional(),
        token: z.string().min(1).optional(),
        timeoutMs: millis,
        /** Incident field → the target tool's field name. */
        fieldMapping: z
          .object({
            shortDescription: itsmField,
            description: itsmField,
            severity: itsmField,
            category: itsmField,
            correlationId: itsmField,
            source: itsmField,
            /** Receives `details` as JSON text. */
            details: itsmField,
          })
          .strict(),
        /** Severity → the value the target field takes (ServiceNow urgency: 1 high … 3 low). */
        severityValues: z
          .object({ low: itsmValue, medium: itsmValue, high: itsmValue, critical: itsmValue })
          .strict(),
        /** Sent with every incident, e.g. `assignment_group` or `impact`. */
        staticFields: z.record(z.string().min(1), itsmValue),
        /** Where the ticket id is in the JSON response, then where to look when it is not there. */
        ticketIdPath: dotPath,
        ticketIdFallbackPath: dotPath.optional(),
      })
      .strict()
      .superRefine((itsm, ctx) => {
        if (itsm.password && !itsm.username) {
          ctx.addIssue({
            code: 'custom',
            path: ['username'],
            message: 'required with ITSM_PASSWORD',
          });
        }
        if (itsm.username && !itsm.password) {
          ctx.addIssue({
            code: 'custom',
            path: ['password'],
            message: 'required with ITSM_USERNAME',
          });
        }
        if (itsm.token && (itsm.username || itsm.password)) {
          ctx.addIssue({
            code: 'custom',
            path: ['token'],
            message: 'set ITSM_TOKEN (bearer) or ITSM_USERNAME/ITSM_PASSWORD (basic), not both',
          });
        }
      }),
  })
  .strict();

/** An absolute http(s) URL with a plain path at most: no credentials, query or fragment. */
const publicBaseUrl = z
  .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
  .refine((value) => {
    if (!URL.canParse(value)) return true; // the url check says so already
    const url = new URL(value);
    // The path as written: the URL parser would resolve `..` and decode `%2e` first.
    const path = value.replace(/^[a-z]+:\/\/[^/?#]*/i, '').replace(/[?#].*$/, '');
    const plain = normalizedPrefix(path) !== undefined;
    return plain && !url.username && !url.password && !url.search && !url.hash;
  }, 'a URL with a plain path and no credentials, query or fragment, e.g. https://api.example.com/integration');

const forwardedHost = z.string().regex(WELL_FORMED_HOST, 'a host name, with an optional :port');

const role = z.enum(['admin', 'operator', 'integration']);

const authSchema = z
  .object({
    jwt: z
      .object({
        /** HS256 shared secret (at least 32 characters). */
        secret: z.string().min(32, 'at least 32 characters').optional(),
        /** RS256 public key, PEM (SPKI). */
        publicKey: z
          .string()
          .includes('BEGIN PUBLIC KEY', { message: 'a PEM public key (BEGIN PUBLIC KEY)' })
          .optional(),
        /** RS256 keys published by the identity provider. */
        jwksUrl: z.string().url().optional(),
        issuer: z.string().min(1).optional(),
        audience: z.string().min(1).optional(),
        /** The claim holding the roles: an array, or a space/comma-separated string. */
        rolesClaim: z.string().min(1),
        clockToleranceSec: z.number().int().min(0).max(300),
      })
      .strict()
      .refine((jwt) => [jwt.secret, jwt.publicKey, jwt.jwksUrl].filter(Boolean).length <= 1, {
        message: 'set one of secret, publicKey or jwksUrl',
      }),
    /** Machine clients: `hash` is `sha256:<hex>` of the key they send in `X-Api-Key`. */
    apiKeys: z.array(
      z
        .object({
          name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits and . _ -'),
          hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex digits>'),
          roles: z.array(role).min(1),
        })
        .strict(),
    ),
    /** Identity headers set by the gateway, believed only from `http.trustedProxies`. */
    gateway: z
      .object({
        enabled: z.boolean(),
        userHeader: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name'),
        rolesHeader: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case header name'),
      })
      .strict(),
    /** Roles that may call routes which declare none (the business routes). */
    defaultRoles: z.array(role).min(1),
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
        /**
         * Where callers reach the app, e.g. `https://api.example.com/integration`: every URL the
         * app gives out starts with it, whatever the forwarded headers say.
         */
        publicBaseUrl: publicBaseUrl.optional(),
        /** The trusted gateway's forwarded headers, when no `publicBaseUrl` is set. */
        forwarded: z
          .object({
            /** Hosts `X-Forwarded-Host` may name (`host` or `host:port`); empty, any well-formed one. */
            allowedHosts: z.array(forwardedHost),
          })
          .strict(),
        /** The largest JSON body (413 beyond). */
        bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 100kb or 1mb'),
        /** The shape of a JSON body, checked before any transformation (400 beyond). */
        limits: z
          .object({
            /** Objects and arrays nested in one another. */
            maxDepth: positiveInt.max(1000),
            /** Elements of any one array. */
            maxArrayLength: positiveInt,
            /** Properties of any one object. */
            maxKeys: positiveInt,
          })
          .strict(),
        /** Origins allowed to call the API from a browser; empty, CORS stays off. */
        cors: z.object({ origins: z.array(z.string().url().or(z.literal('*'))) }).strict(),
        /**
         * Requests per client address within `ttlMs`; health and metrics are exempt. Counted in
         * Redis under `bus.keyPrefix` when `bus.redisUrl` is set (all replicas share the limit),
         * in each process's memory otherwise.
         */
        rateLimit: z.object({ ttlMs: millis, limit: positiveInt }).strict(),
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
        /** A wait for the database or broker this long raises one alert (error record and channels). */
        outageAlertAfterMs: millis,
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
    objectStore: objectStoreSchema,
    purchaseFlow: purchaseFlowSchema,
    errorTreatment: errorTreatmentSchema,
    /** The asynchronous model's reference integration: extract → process → reprocess → error handling. */
    importFlow: importFlowSchema,
    notifiers: notifiersSchema,
    auth: authSchema,
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      })
      .strict(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { jwt, apiKeys, gateway } = config.auth;
    const configured =
      jwt.secret || jwt.publicKey || jwt.jwksUrl || apiKeys.length > 0 || gateway.enabled;
    if (config.env === 'production' && !configured) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message:
          'production needs a way to authenticate callers: AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY, AUTH_JWKS_URL, auth.apiKeys or auth.gateway',
      });
    }
    // Extraction waits for the process pipeline below maxBacklog: a stream trimmed shorter
    // than that would drop records nobody has read yet.
    const { maxLength } = config.bus.streams['record.extracted'] ?? config.bus.retention;
    if (maxLength !== undefined && config.importFlow.extract.maxBacklog >= maxLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['importFlow', 'extract', 'maxBacklog'],
        message: `must be below the record.extracted stream's retention (maxLength ${maxLength}), or unread records are trimmed`,
      });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;
export type BusConfig = AppConfig['bus'];
export type AuthConfig = AppConfig['auth'];
export type PurchaseFlowConfig = AppConfig['purchaseFlow'];
export type ErrorTreatmentConfig = AppConfig['errorTreatment'];
export type ErrorTreatmentRule = ErrorTreatmentConfig['rules'][number];
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type ImportFlowConfig = AppConfig['importFlow'];
export type ImportSourceConfig = z.infer<typeof importSourceSchema>;
export type NotifiersConfig = AppConfig['notifiers'];
export type ObjectStoreConfig = AppConfig['objectStore'];
