import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  prepareProfile,
  type ProfileResources,
  profiles,
  redeliver,
  startTestApp,
  type TestApp,
  watchDeliveries,
} from '../../../../../test/support/index.js';
import { EventBus } from '../../../../platform/event-bus/index.js';
import {
  type PurchaseCompleted,
  purchaseCompleted,
} from '../../kernel/purchase-completed.event.js';
import { LoyaltyBalance } from './loyalty-balance.entity.js';
import { LoyaltyPointsModule } from './loyalty-points.module.js';
import { loyaltyPointsPipeline } from './loyalty-points.pipeline.js';

describe.each(profiles)('loyalty-points on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let deliveries: ReturnType<typeof watchDeliveries>;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: [{ pipeline: loyaltyPointsPipeline, module: LoyaltyPointsModule }],
      overrides: { purchaseFlow: { loyaltyPoints: { pointsPerEuro: 3 } } },
    });
    deliveries = watchDeliveries(app.app);
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  /** A purchase of €12.50 on a card of its own, as `purchases` publishes it. */
  const purchase = (cardToken = `tok_${randomUUID().slice(0, 8)}`): PurchaseCompleted => ({
    purchaseId: randomUUID(),
    cardToken,
    amount: 1250,
    currency: 'EUR',
    merchantId: 'corner-books',
    merchantName: 'Corner Books',
    purchaserEmail: 'ada@example.com',
    purchasedAt: new Date().toISOString(),
  });
  const publish = (p: PurchaseCompleted) =>
    app.app.get(EventBus).publish(purchaseCompleted, p, 'purchases');
  const balance = async (cardToken: string) =>
    (await app.app.get(DataSource).getRepository(LoyaltyBalance).findOneBy({ cardToken }))?.points;
  const handled = () => deliveries.acked(purchaseCompleted.name, loyaltyPointsPipeline.name);

  it('credits a purchase its points, at the configured rate', async () => {
    const bought = purchase();
    await publish(bought);
    // €12.50 at 3 points a euro.
    expect(await eventually(() => balance(bought.cardToken), 10_000, 'the points')).toBe(37);
  });

  it('credits nothing more for a redelivery, nor for the outbox republishing it under a new event id', async () => {
    const bought = purchase();
    const envelope = await publish(bought);
    await eventually(() => balance(bought.cardToken), 10_000, 'the points');
    const before = handled();
    await redeliver(app.app, envelope);
    const republished = await publish(bought);
    expect(republished.id).not.toBe(envelope.id);
    await eventually(() => handled() >= before + 2, 10_000, 'both duplicates handled');
    expect(await balance(bought.cardToken)).toBe(37);

    // The card's next purchase is credited: the duplicates were skipped, not stuck.
    await publish(purchase(bought.cardToken));
    await eventually(async () => (await balance(bought.cardToken)) === 74, 10_000, '74 points');
  });
});
