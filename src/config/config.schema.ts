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

const role = z.enum(['admin', 'operator', 'integration']);

const authSchema = z
  .object({
    jwt: z
      .object({
        /** HS256 shared secret (at least 32 characters). */
        secret: z.string().min(32, 'at least 32 characters').optional(),
        /** RS256 public key, PEM (SPKI). */
        publicKey: z.string().includes('BEGIN PUBLIC KEY', { message: 'a PEM public key (BEGIN PUBLIC KEY)' }).optional(),
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
        bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 100kb or 1mb'),
        /** Origins allowed to call the API from a browser; empty, CORS stays off. */
        cors: z.object({ origins: z.array(z.string().url().or(z.literal('*'))) }).strict(),
        /** Requests per client address within `ttlMs`, per replica; health and metrics are exempt. */
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
    const configured = jwt.secret || jwt.publicKey || jwt.jwksUrl || apiKeys.length > 0 || gateway.enabled;
    if (config.env === 'production' && !configured) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message:
          'production needs a way to authenticate callers: AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY, AUTH_JWKS_URL, auth.apiKeys or auth.gateway',
      });
    }
  });

export type AppConfig = z.infer<typeof configSchema>;
export type BusConfig = AppConfig['bus'];
export type AuthConfig = AppConfig['auth'];
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type NotifiersConfig = AppConfig['notifiers'];
