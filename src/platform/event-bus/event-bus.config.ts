import { z } from 'zod';
import { type ConfigOf, defineConfig, millis, positiveInt } from '../config/index.js';
import type { EventDefinition } from './event-definition.js';

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

/**
 * The event bus: its delivery rules, retention and dead letters. Its transport is Redis Streams
 * when Redis is configured (`redis`, see the Redis module), in-process otherwise.
 */
export const busConfig = defineConfig({
  key: 'bus',
  schema: z
    .object({
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
  defaults: {
    connectTimeoutMs: 10000,
    keyPrefix: 'tributary',
    maxHops: 16,
    maxDeliveries: 5,
    concurrency: 32,
    readBatchSize: 256,
    blockMs: 2000,
    retry: { baseDelayMs: 500, maxDelayMs: 30000 },
    claimIdleMs: 60000,
    outageAlertAfterMs: 60000,
    startFrom: 'earliest',
    retention: { maxLength: 1000000 },
    streams: {},
    deadLetter: { maxLength: 100000 },
  },
  env: {
    keyPrefix: { name: 'BUS_KEY_PREFIX', parse: 'string' },
    claimIdleMs: { name: 'BUS_CLAIM_IDLE_MS', parse: 'integer' },
    outageAlertAfterMs: { name: 'BUS_OUTAGE_ALERT_AFTER_MS', parse: 'integer' },
  },
});

/** How long a stopping process lets the handlers in flight finish. */
export const shutdownConfig = defineConfig({
  key: 'shutdown',
  schema: z.object({ timeoutMs: millis }).strict(),
  defaults: { timeoutMs: 10000 },
  env: { timeoutMs: { name: 'SHUTDOWN_TIMEOUT_MS', parse: 'integer' } },
});

export type BusConfig = ConfigOf<typeof busConfig>;
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type ShutdownConfig = ConfigOf<typeof shutdownConfig>;

/** The retention that trims `event`'s stream: its own (`bus.streams`), else the bus-wide one. */
export function retentionOf(bus: BusConfig, event: EventDefinition): RetentionConfig {
  return bus.streams[event.name] ?? bus.retention;
}
