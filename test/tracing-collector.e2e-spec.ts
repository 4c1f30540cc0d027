import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startAppProcess } from './harness/app-process.js';
import { freePort, HOST } from './harness/free-ports.js';
import { type OtlpReceiver, startOtlpReceiver } from './harness/otlp-receiver.js';
import {
  openProfileDatabase,
  prepareProfile,
  processEnv,
  type ProfileResources,
} from './support/profiles.js';
import {
  addCard,
  type PurchasePeers,
  purchaseRequest,
  startPurchasePeers,
} from './support/purchases.js';
import { eventually } from './support/test-app.js';

const PURCHASES = 40;
/** A caller's patience: a purchase that waited on the collector would exceed it. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Far fewer spans than the purchases make (dozens each): the queue fills. */
const MAX_QUEUE_SIZE = 16;

type Collector = { url: string; close(): Promise<void> };

/** Nothing listens on its port: every export is refused (and retried by the exporter). */
async function downCollector(): Promise<Collector> {
  return { url: `http://${HOST}:${await freePort()}`, close: async () => {} };
}

/** Takes each export and never answers: the exporter waits until its own timeout. */
function hangingCollector(): Promise<OtlpReceiver> {
  return startOtlpReceiver({ silent: true });
}

/**
 * A collector down or hanging never blocks a request or a handler, and the spans that cannot
 * reach it wait in a bounded queue: once it is full, the new ones are dropped and counted on
 * /metrics. The embedded default runs as its own OS process with a queue of a few spans.
 */
describe.each([
  ['down', downCollector],
  ['hanging', hangingCollector],
] as const)('tracing with a collector %s', (_name, startCollector) => {
  let profile: ProfileResources;
  let collector: Collector;
  let peers: PurchasePeers;
  let app: AppProcess;
  let db: DataSource;

  beforeAll(async () => {
    [profile, collector, peers] = await Promise.all([
      prepareProfile('embedded'),
      startCollector(),
      startPurchasePeers(),
    ]);
    app = await startAppProcess({
      entry: 'src/main.ts',
      name: `collector-${_name}`,
      env: {
        ...processEnv(profile, 'purchases,store-receipt,bank-notification'),
        SMTP_URL: peers.smtp.url(),
        NOTIFICATION_SERVICE_URL: peers.notifications.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_MAX_QUEUE_SIZE: String(MAX_QUEUE_SIZE),
      },
    });
    db = await openProfileDatabase(profile);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.destroy();
    await Promise.all([collector?.close(), peers?.close()]);
    await profile?.dispose();
  });

  it('answers every purchase, runs every handler, and counts the spans dropped', async () => {
    const card = await addCard(db);
    const ids: string[] = [];
    let sent = 0;
    // Four callers at a time, each giving up after REQUEST_TIMEOUT_MS.
    const callers = Array.from({ length: 4 }, async () => {
      while (sent++ < PURCHASES) {
        const answer = await app.fetch('/api/v1/purchases', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(purchaseRequest(card)),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        expect(answer.status).toBe(201);
        ids.push(((await answer.json()) as { id: string }).id);
      }
    });
    await Promise.all(callers);
    expect(ids).toHaveLength(PURCHASES);

    // Both subscribers handled every purchase: a receipt mailed and the bank notified.
    await eventually(
      async () => ids.every((id) => peers.receiptsOf(id).length > 0),
      30_000,
      'a receipt for every purchase',
    );
    await eventually(
      async () => ids.every((id) => peers.notificationsOf(id).length > 0),
      30_000,
      'a notification for every purchase',
    );

    const dropped = await eventually(
      async () => {
        const metrics = await (await app.fetch('/metrics')).text();
        const match = /^tributary_trace_spans_dropped_total\{reason="queue-full"\} (\d+)$/m.exec(
          metrics,
        );
        return match && Number(match[1]) > 0 && Number(match[1]);
      },
      10_000,
      'spans dropped at the full queue, on /metrics',
    );
    expect(dropped).toBeGreaterThan(0);
  });
});
