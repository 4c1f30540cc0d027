import { z } from 'zod';
import { type ConfigOf, defineConfig, millis, positiveInt } from '../../platform/config/index.js';
import type { HandledKeysConfig } from '../../platform/handled-keys/index.js';

/**
 * The synchronous model's reference flow (`purchaseFlow`): the delivery ledger the
 * subscribers share, and the `purchases` pipeline's publishing, idempotency and outbox.
 */
export const purchaseFlowConfig = defineConfig({
  key: 'purchaseFlow',
  schema: z
    .object({
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
      idempotencyPurge: z
        .object({ intervalMs: millis, batchSize: positiveInt.max(10_000) })
        .strict(),
      /**
       * The outbox sweep: every `intervalMs`, a purchase with a delivery still pending `graceMs`
       * after it was recorded is published again, then again after doubling waits
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
    .strict(),
  defaults: {
    deliveryLeaseMs: 60000,
    publishTimeoutMs: 250,
    idempotencyLockMs: 30000,
    idempotencyRetentionMs: 86400000,
    idempotencyPurge: { intervalMs: 60000, batchSize: 1000 },
    outbox: { graceMs: 60000, maxDelayMs: 3600000, intervalMs: 15000, batchSize: 100 },
  },
  env: {
    idempotencyRetentionMs: { name: 'IDEMPOTENCY_RETENTION_MS', parse: 'integer' },
    publishTimeoutMs: { name: 'PURCHASE_PUBLISH_TIMEOUT_MS', parse: 'integer' },
    'outbox.graceMs': { name: 'PURCHASE_OUTBOX_GRACE_MS', parse: 'integer' },
  },
  // A subscriber's mark of a purchase (HandledKeys) must outlive the wait until the outbox
  // publishes it again, at most maxDelayMs then the next sweep: a mark purged in between
  // lets the republish be handled twice (the loyalty points credited again).
  check: ({ outbox }, config: { handledKeys: HandledKeysConfig }, report) => {
    const window = outbox.maxDelayMs + outbox.intervalMs;
    const { retentionMs } = config.handledKeys;
    if (retentionMs <= window) {
      report(
        ['outbox', 'maxDelayMs'],
        `with purchaseFlow.outbox.intervalMs (${window} ms between two republishes at most), must stay below handledKeys.retentionMs (${retentionMs}), or a republished purchase finds its subscribers' marks purged and is handled again`,
      );
    }
  },
});

export type PurchaseFlowConfig = ConfigOf<typeof purchaseFlowConfig>;
