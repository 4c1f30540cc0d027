import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusObservers, type DeliveryReport } from '../src/platform/event-bus/bus-observers.js';
import { integrations } from '../src/integrations/index.js';
import { DeliveryLedger } from '../src/integrations/purchase/kernel/delivery-ledger.js';
import { PurchaseDelivery } from '../src/integrations/purchase/kernel/purchase-delivery.entity.js';
import { PurchaseOutbox } from '../src/integrations/purchase/pipelines/purchases/outbox/purchase-outbox.js';
import { Purchase } from '../src/integrations/purchase/pipelines/purchases/purchase.entity.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import {
  addCard,
  type PurchasePeers,
  purchaseRequest,
  recordUnpublished,
  startPurchasePeers,
} from './support/purchases.js';
import { runTaskNow } from './support/recurring-tasks.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const SWEEP = 'purchases-outbox-sweep';
const GRACE_MS = 60_000;
const MAX_DELAY_MS = 600_000;
const BATCH_SIZE = 2;
const ADMIN = '/api/v1/admin';
const SUBSCRIBERS = ['store-receipt', 'bank-notification'];

describe.each(profiles)('purchase outbox on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let peers: PurchasePeers;
  const deliveries: DeliveryReport[] = [];

  beforeAll(async () => {
    peers = await startPurchasePeers();
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: {
        notifiers: { email: { smtpUrl: peers.smtp.url() } },
        purchaseFlow: {
          notificationService: { url: peers.notifications.url },
          // The sweep runs only when a spec asks (POST /admin/reprocessing/run).
          outbox: {
            graceMs: GRACE_MS,
            maxDelayMs: MAX_DELAY_MS,
            intervalMs: 3_600_000,
            batchSize: BATCH_SIZE,
          },
        },
      },
    });
    app.app.get(BusObservers).add({ delivered: (report) => deliveries.push(report) });
  });
  afterAll(async () => {
    await app?.close();
    await peers?.close();
    await profile?.dispose();
  });

  // ---- helpers -------------------------------------------------------------------------

  const unique = () => randomBytes(5).toString('hex');
  const db = () => app.app.get(DataSource);
  const purchases = () => db().getRepository(Purchase);
  const ago = (ms: number) => new Date(Date.now() - ms);

  /**
   * A purchase recorded by the real transaction (purchase, credit, pending deliveries) whose
   * `purchase.completed` was never published: the process died between the commit and the
   * publish. Recorded `ageMs` ago, as far as the outbox's grace is concerned.
   */
  async function recordLost(ageMs: number) {
    const correlationId = `lost-${profileName}-${unique()}`;
    const { purchase, request } = await recordUnpublished(app.app, correlationId);
    await purchases().update({ id: purchase.id }, { createdAt: ago(ageMs) });
    return { id: purchase.id, request, correlationId };
  }

  const stored = async (id: string) => await purchases().findOneByOrFail({ id });
  const show = async (id: string) =>
    (await app.http.get(`/api/v1/purchases/${id}`).expect(200)).body;
  const sent = (id: string) =>
    eventually(
      async () => {
        const body = await show(id);
        return (
          body.deliveries.receipt.status === 'sent' &&
          body.deliveries.notification.status === 'sent' &&
          body
        );
      },
      15_000,
      `receipt and notification of ${id} sent`,
    );
  const receiptsOf = (id: string) => peers.receiptsOf(id);
  const notificationsOf = (id: string) => peers.notificationsOf(id);
  const handled = (pipeline: string) =>
    deliveries.filter(
      (d) => d.event === 'purchase.completed' && d.pipeline === pipeline && d.outcome === 'ack',
    ).length;
  const sweep = () => runTaskNow(app, SWEEP);

  async function setSubscribersPaused(paused: boolean): Promise<void> {
    for (const pipeline of SUBSCRIBERS)
      await app.http
        .post(`${ADMIN}/pipelines/${pipeline}/${paused ? 'pause' : 'resume'}`)
        .expect(200);
    // Redis consumers re-read the paused set every second.
    if (paused) await new Promise((r) => setTimeout(r, 1200));
  }

  // ---- the sweep -----------------------------------------------------------------------

  it('is a scheduled task of the process, run on demand like the others', async () => {
    const { body } = await app.as('operator').get(`${ADMIN}/reprocessing`).expect(200);
    expect(body).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: SWEEP, everyMs: 3_600_000 })]),
    );
  });

  it('publishes a purchase whose publish was lost once its grace is over: the receipt and the notification go out, once', async () => {
    const lost = await recordLost(GRACE_MS + 60_000);
    const young = await recordLost(0);
    expect((await show(lost.id)).deliveries.receipt).toMatchObject({ status: 'pending' });

    await sweep();
    const shown = await sent(lost.id);
    expect(shown.correlationId).toBe(lost.correlationId);
    const [receipt] = receiptsOf(lost.id);
    expect(receipt!.rcptTo).toEqual([lost.request.purchaserEmail]);
    const [push] = notificationsOf(lost.id);
    expect(push!.body).toMatchObject({
      purchaseId: lost.id,
      cardToken: lost.request.cardToken,
      amount: 1250,
      currency: 'EUR',
      title: 'Purchase of €12.50',
    });
    // The republished event carries the purchase's own correlation id.
    expect(push!.headers['x-correlation-id']).toBe(lost.correlationId);
    expect(await stored(lost.id)).toMatchObject({ republishes: 1 });

    // Younger than the grace: its publish may still be on its way.
    expect(await stored(young.id)).toMatchObject({ republishes: 0, republishAfter: null });
    expect((await show(young.id)).deliveries.receipt.status).toBe('pending');

    // A second sweep finds the deliveries sent: no second event, no second e-mail.
    await sweep();
    expect(await stored(lost.id)).toMatchObject({ republishes: 1 });
    expect(receiptsOf(lost.id)).toHaveLength(1);
    expect(notificationsOf(lost.id)).toHaveLength(1);
  });

  it('leaves alone a purchase whose subscribers have claimed or sent every delivery', async () => {
    const claimed = await recordLost(GRACE_MS + 60_000);
    const ledger = app.app.get(DeliveryLedger);
    expect(await ledger.claim(claimed.id, 'receipt', 3_600_000)).toMatchObject({ kind: 'claimed' });
    expect(await ledger.claim(claimed.id, 'notification', 3_600_000)).toMatchObject({
      kind: 'claimed',
    });
    const request = purchaseRequest(await addCard(db()));
    const published = await app.http.post('/api/v1/purchases').send(request).expect(201);
    await sent(published.body.id);
    await purchases().update({ id: published.body.id }, { createdAt: ago(GRACE_MS + 60_000) });

    await sweep();
    expect(await stored(claimed.id)).toMatchObject({ republishes: 0 });
    expect(await stored(published.body.id)).toMatchObject({ republishes: 0 });
    expect(receiptsOf(published.body.id)).toHaveLength(1);
  });

  it('publishes again a purchase whose receipt went out but whose notification nobody claimed: the broker lost that copy (restarted empty); the notification goes out once, the receipt is left alone', async () => {
    const halfHeard = await recordLost(GRACE_MS + 60_000);
    await db()
      .getRepository(PurchaseDelivery)
      .update(
        { purchaseId: halfHeard.id, channel: 'receipt' },
        { status: 'sent', attempts: 1, sentAt: new Date(), reference: '<sent-before@test>' },
      );

    await sweep();
    expect(await stored(halfHeard.id)).toMatchObject({ republishes: 1 });
    const shown = await sent(halfHeard.id);
    expect(shown.deliveries.notification).toMatchObject({ status: 'sent', attempts: 1 });
    expect(shown.deliveries.receipt.reference).toBe('<sent-before@test>');
    expect(notificationsOf(halfHeard.id)).toHaveLength(1);
    expect(receiptsOf(halfHeard.id)).toHaveLength(0);
  });

  it('publishes again a purchase one of whose deliveries was claimed under a lease that ran out: it goes out once, the sent one is left alone', async () => {
    const deliveries = db().getRepository(PurchaseDelivery);
    const hold = (id: string, channel: 'receipt' | 'notification', until: Date) =>
      deliveries.update(
        { purchaseId: id, channel },
        { status: 'sending', attempts: 1, claimedUntil: until },
      );
    // Its receipt went out; the sender that claimed its notification died, and the lease ran out.
    const stuck = await recordLost(GRACE_MS + 60_000);
    await deliveries.update(
      { purchaseId: stuck.id, channel: 'receipt' },
      { status: 'sent', attempts: 1, sentAt: new Date(), reference: '<sent-before@test>' },
    );
    await hold(stuck.id, 'notification', ago(1_000));
    // A notification being sent right now, under its lease, its receipt sent: not the sweep's.
    const inFlight = await recordLost(GRACE_MS + 60_000);
    await deliveries.update(
      { purchaseId: inFlight.id, channel: 'receipt' },
      { status: 'sent', attempts: 1, sentAt: new Date(), reference: '<sent-before@test>' },
    );
    await hold(inFlight.id, 'notification', new Date(Date.now() + 3_600_000));

    await sweep();
    expect(await stored(stuck.id)).toMatchObject({ republishes: 1 });
    expect(await stored(inFlight.id)).toMatchObject({ republishes: 0 });
    const shown = await sent(stuck.id);
    expect(shown.deliveries.notification).toMatchObject({ attempts: 2, lastError: null });
    expect(shown.deliveries.receipt.reference).toBe('<sent-before@test>');
    expect(notificationsOf(stuck.id)).toHaveLength(1);
    expect(receiptsOf(stuck.id)).toHaveLength(0);
  });

  it('publishes the oldest purchases first, a bounded batch at a time', async () => {
    // Older than anything else in the database, so that they are the first due.
    const [oldest, older, old] = [
      await recordLost(30 * 86_400_000),
      await recordLost(29 * 86_400_000),
      await recordLost(28 * 86_400_000),
    ];
    expect(await app.app.get(PurchaseOutbox).republishDue(BATCH_SIZE)).toBe(BATCH_SIZE);
    expect(await stored(oldest.id)).toMatchObject({ republishes: 1 });
    expect(await stored(older.id)).toMatchObject({ republishes: 1 });
    expect(await stored(old.id)).toMatchObject({ republishes: 0 });

    // The scheduled run goes on, batch after batch, until none is due.
    await sweep();
    expect(await stored(old.id)).toMatchObject({ republishes: 1 });
    for (const purchase of [oldest, older, old]) {
      await sent(purchase.id);
      expect(receiptsOf(purchase.id)).toHaveLength(1);
    }
  });

  it('while the subscribers are down, republishes after doubling waits; once back, they send once', async () => {
    await setSubscribersPaused(true);
    try {
      const lost = await recordLost(GRACE_MS + 60_000);
      const before = Date.now();
      await sweep();
      const first = await stored(lost.id);
      expect(first.republishes).toBe(1);
      expect(first.republishAfter!.getTime()).toBeGreaterThanOrEqual(before + GRACE_MS);

      // Within its wait, the sweep leaves it alone, however often it runs.
      await sweep();
      expect(await stored(lost.id)).toMatchObject({ republishes: 1 });

      // The wait over (as if a minute had passed), it is published again; the next wait doubles.
      await purchases().update({ id: lost.id }, { republishAfter: ago(1) });
      const again = Date.now();
      await sweep();
      const second = await stored(lost.id);
      expect(second.republishes).toBe(2);
      expect(second.republishAfter!.getTime()).toBeGreaterThanOrEqual(again + 2 * GRACE_MS);
      expect(second.republishAfter!.getTime()).toBeLessThan(again + MAX_DELAY_MS);

      // However many times, the wait stops growing at maxDelayMs.
      await purchases().update({ id: lost.id }, { republishes: 20, republishAfter: ago(1) });
      const late = Date.now();
      await sweep();
      const capped = await stored(lost.id);
      expect(capped.republishes).toBe(21);
      expect(capped.republishAfter!.getTime()).toBeGreaterThanOrEqual(late + MAX_DELAY_MS);
      expect(capped.republishAfter!.getTime()).toBeLessThanOrEqual(Date.now() + MAX_DELAY_MS);

      const receiptsHandled = handled('store-receipt');
      const notificationsHandled = handled('bank-notification');
      await setSubscribersPaused(false);
      await sent(lost.id);
      // Three events of one purchase waited: each subscriber handles all three and sends once.
      await eventually(
        () =>
          handled('store-receipt') >= receiptsHandled + 3 &&
          handled('bank-notification') >= notificationsHandled + 3,
        15_000,
        'the three events handled',
      );
      expect(receiptsOf(lost.id)).toHaveLength(1);
      expect(notificationsOf(lost.id)).toHaveLength(1);
    } finally {
      await setSubscribersPaused(false);
    }
  });
});
