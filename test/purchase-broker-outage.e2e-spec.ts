import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrations } from '../src/integrations/index.js';
import { PurchaseDelivery } from '../src/integrations/purchase/kernel/purchase-delivery.entity.js';
import { Purchase } from '../src/integrations/purchase/pipelines/purchases/purchase.entity.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import {
  addCard,
  type PurchasePeers,
  purchaseRequest,
  startPurchasePeers,
} from './support/purchases.js';
import { TcpRelay } from './harness/tcp-relay.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/** How long the broker stays cut at most, waiting for the answer (it comes in a fraction of it). */
const CUT_MS = 5_000;

// The real profile only: the embedded profile's bus lives inside the process and cannot go away.
describe.runIf(profiles.includes('real'))(
  'purchases while the broker is away (real profile)',
  () => {
    let profile: ProfileResources;
    let app: TestApp;
    let peers: PurchasePeers;
    let relay: TcpRelay;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    beforeAll(async () => {
      process.on('unhandledRejection', onUnhandled);
      peers = await startPurchasePeers();
      profile = await prepareProfile('real');
      const { hostname, port } = new URL(REDIS_URL);
      relay = new TcpRelay(hostname, Number(port || 6379));
      await relay.open();
      app = await startTestApp(profile, {
        catalogue: integrations,
        overrides: {
          // The default wait for the broker (the test profile's is 2 s): a publish waited as long.
          redis: { url: `redis://127.0.0.1:${relay.port}` },
          bus: { connectTimeoutMs: 10_000 },
          notifiers: { email: { smtpUrl: peers.smtp.url() } },
          purchaseFlow: {
            notificationService: { url: peers.notifications.url },
            // The outbox republishes what the broker missed a second after it was recorded.
            outbox: { graceMs: 1_000, maxDelayMs: 2_000, intervalMs: 500 },
          },
        },
      });
    });
    afterAll(async () => {
      process.off('unhandledRejection', onUnhandled);
      await app?.close();
      await relay?.cut();
      await peers?.close();
      await profile?.dispose();
    });

    it('answers 201 while the broker is cut, the purchase recorded; readiness says so; once the broker is back, the receipt and the notification go out once', async () => {
      const db = app.app.get(DataSource);
      const request = purchaseRequest(await addCard(db));
      await relay.cut();
      let answer: Response | undefined;
      let answered: Promise<unknown> = Promise.resolve();
      try {
        answered = app.http
          .post('/api/v1/purchases')
          .send(request)
          .then((response) => (answer = response));
        await eventually(() => answer, CUT_MS, 'the answer').catch(() => undefined);
        // Still cut: the answer did not wait for the broker.
        expect(answer?.status, 'answered while the broker was cut').toBe(201);
        const ready = await app.anonymous.get('/health/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.detail).toBe('not ready: broker does not answer');
      } finally {
        await relay.open();
        await answered;
      }

      const id = answer!.body.id as string;
      expect(await db.getRepository(Purchase).findOneBy({ id })).toMatchObject({
        purchaserEmail: request.purchaserEmail,
      });
      const ledger = db.getRepository(PurchaseDelivery);
      await eventually(
        async () =>
          (await ledger.findBy({ purchaseId: id })).filter((d) => d.status === 'sent').length === 2,
        30_000,
        'the receipt and the notification sent once the broker is back',
      );
      expect(peers.receiptsOf(id)).toHaveLength(1);
      expect(peers.notificationsOf(id)).toHaveLength(1);
      await eventually(
        async () => (await app.anonymous.get('/health/ready')).status === 200,
        15_000,
        'ready again',
      );
      expect(unhandled).toEqual([]);
    });
  },
);
