import { validateCronExpression } from 'cron';
import { z } from 'zod';

/** The building blocks fragments' schemas share, so that a kind of setting is checked one way. */
export const positiveInt = z.number().int().positive();

/** A duration in milliseconds, at least 1. */
export const millis = z.number().int().min(1);

/** An http:// or https:// URL. */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' });

/** The name of an environment variable holding a secret, which never goes in a file. */
export const envName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'the name of an environment variable');

/** An SQL identifier we interpolate into a query: letters, digits and underscores only. */
export const sqlIdentifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'an SQL identifier (letters, digits, _)');

/** Five fields, minute precision: replicas firing the same tick agree on its minute. */
export const cronExpression = z
  .string()
  .refine(
    (value) => value.trim().split(/\s+/).length === 5 && validateCronExpression(value).valid,
    'a five-field cron expression such as "0 2 * * *"',
  );
