import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusObservers, type DeliveryReport } from '../src/platform/event-bus/bus-observers.js';
import type { DeadLetter } from '../src/platform/event-bus/delivery/dead-letter.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { integrations } from '../src/integrations/index.js';
import { purchaseCompleted } from '../src/integrations/purchase/kernel/purchase-completed.event.js';
import { PurchaseDelivery } from '../src/integrations/purchase/kernel/purchase-delivery.entity.js';
import { purchaseCompletedOf } from '../src/integrations/purchase/pipelines/purchases/purchase-completed-of.js';
import { type FailingUpdates, failingUpdates } from './support/failing-updates.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { type PurchasePeers, recordUnpublished, startPurchasePeers } from './support/purchases.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/** The test profile's `bus.claimIdleMs` (1500) is not above it: the case the issue names. */
const LEASE_MS = 1500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(profiles)('purchase deliveries taken over on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let peers: PurchasePeers;
  let sentWrites: FailingUpdates;
  const deliveries: DeliveryReport[] = [];
  const deadLetters: Omit<DeadLetter, 'id'>[] = [];

  beforeAll(async () => {
    peers = await startPurchasePeers();
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: {
        notifiers: { email: { smtpUrl: peers.smtp.url() } },
        purchaseFlow: {
          notificationService: { url: peers.notifications.url },
          deliveryLeaseMs: LEASE_MS,
          // The sweep runs only when a spec asks: here, none does.
          outbox: { intervalMs: 3_600_000 },
        },
      },
    });
    app.app.get(BusObservers).add({
      delivered: (report) => deliveries.push(report),
      deadLettered: (letter) => deadLetters.push(letter),
    });
    sentWrites = await failingUpdates(app.app.get(DataSource), {
      name: 'e2e_sent_not_recorded',
      table: 'purchase_deliveries',
      keyColumn: 'purchase_id',
      column: 'status',
      value: 'sent',
    });
  });
  afterAll(async () => {
    await app?.close();
    await peers?.close();
    await profile?.dispose();
  });

  const db = () => app.app.get(DataSource);
  const ledgerRows = () => db().getRepository(PurchaseDelivery);
  const receiptsOf = (id: string) => peers.receiptsOf(id);
  const notificationsOf = (id: string) => peers.notificationsOf(id);
  const handled = (pipeline: string) =>
    deliveries.filter(
      (d) => d.event === 'purchase.completed' && d.pipeline === pipeline && d.outcome === 'ack',
    ).length;
  const delivery = (purchaseId: string, channel: 'receipt' | 'notification') =>
    ledgerRows().findOneByOrFail({ purchaseId, channel });

  /** A purchase recorded by the real transaction, its event not yet published. */
  const record = async () =>
    (await recordUnpublished(app.app, `takeover-${profileName}-${randomBytes(4).toString('hex')}`))
      .purchase;
  const publish = (purchase: Awaited<ReturnType<typeof record>>) =>
    app.app.get(EventBus).publish(purchaseCompleted, purchaseCompletedOf(purchase), 'purchases', {
      correlationId: purchase.correlationId,
    });

  it('comes back when another sender holds the delivery, and sends it once that lease has ended: never acknowledged unsent', async () => {
    const purchase = await record();
    // A sender claimed the receipt and died: its lease still runs.
    await ledgerRows().update(
      { purchaseId: purchase.id, channel: 'receipt' },
      { status: 'sending', attempts: 1, claimedUntil: new Date(Date.now() + LEASE_MS) },
    );
    await publish(purchase);

    const receipt = await eventually(
      async () => {
        const row = await delivery(purchase.id, 'receipt');
        return row.status === 'sent' && row;
      },
      20_000,
      'the receipt taken over and sent once the lease ended',
    );
    expect(receipt.attempts).toBe(2);
    expect(receiptsOf(purchase.id)).toHaveLength(1);
    await eventually(async () => (await delivery(purchase.id, 'notification')).status === 'sent');
    expect(notificationsOf(purchase.id)).toHaveLength(1);
    // Waiting for the lease used up none of the trigger's deliveries.
    expect(deadLetters.filter((l) => l.pipeline === 'store-receipt')).toEqual([]);
  });

  it('records a delivery sent while the database failed once it answers, and never sends it again meanwhile, even past its lease', async () => {
    const purchase = await record();
    await sentWrites.fail(purchase.id);
    try {
      const before = {
        receipt: handled('store-receipt'),
        notification: handled('bank-notification'),
      };
      await publish(purchase);
      await eventually(
        () => receiptsOf(purchase.id).length === 1 && notificationsOf(purchase.id).length === 1,
        15_000,
        'the receipt and the notification sent',
      );
      // Neither is recorded: the database refuses "sent". Their leases run out meanwhile.
      await sleep(LEASE_MS + 500);
      expect((await delivery(purchase.id, 'receipt')).status).toBe('sending');

      // The event again (a redelivery, a republish): this process knows they went out.
      await publish(purchase);
      await eventually(
        () =>
          handled('store-receipt') >= before.receipt + 2 &&
          handled('bank-notification') >= before.notification + 2,
        15_000,
        'both events handled by both subscribers',
      );
      expect(receiptsOf(purchase.id)).toHaveLength(1);
      expect(notificationsOf(purchase.id)).toHaveLength(1);
    } finally {
      await sentWrites.heal(purchase.id);
    }

    for (const channel of ['receipt', 'notification'] as const) {
      const row = await eventually(
        async () => {
          const found = await delivery(purchase.id, channel);
          return found.status === 'sent' && found;
        },
        15_000,
        `the ${channel} recorded as sent`,
      );
      expect(row).toMatchObject({ attempts: 1, lastError: null });
    }
    expect(receiptsOf(purchase.id)).toHaveLength(1);
    expect(notificationsOf(purchase.id)).toHaveLength(1);
  });
});
