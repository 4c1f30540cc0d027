import { z } from 'zod';
import { type ConfigOf, defineConfig, httpUrl, millis } from '../config/index.js';

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
export const notifiersConfig = defineConfig({
  key: 'notifiers',
  schema: z
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
          url: httpUrl
            .refine((url) => !hasCredentials(url), {
              message:
                'credentials go in ITSM_USERNAME/ITSM_PASSWORD or ITSM_TOKEN, not in the URL',
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
    .strict(),
  defaults: {
    email: { from: 'tributary@localhost', timeoutMs: 10000 },
    itsm: {
      timeoutMs: 10000,
      fieldMapping: {
        shortDescription: 'short_description',
        description: 'description',
        severity: 'urgency',
        category: 'category',
        correlationId: 'correlation_id',
        source: 'u_source',
        details: 'work_notes',
      },
      severityValues: { critical: '1', high: '1', medium: '2', low: '3' },
      staticFields: {},
      ticketIdPath: 'result.number',
      ticketIdFallbackPath: 'result.sys_id',
    },
  },
  env: {
    'email.smtpUrl': { name: 'SMTP_URL', parse: 'string', secret: 'url-credentials' },
    'email.from': { name: 'EMAIL_FROM', parse: 'string' },
    'itsm.url': { name: 'ITSM_URL', parse: 'string' },
    'itsm.username': { name: 'ITSM_USERNAME', parse: 'string' },
    'itsm.password': { name: 'ITSM_PASSWORD', parse: 'string', secret: 'value' },
    'itsm.token': { name: 'ITSM_TOKEN', parse: 'string', secret: 'value' },
  },
});

export type NotifiersConfig = ConfigOf<typeof notifiersConfig>;
