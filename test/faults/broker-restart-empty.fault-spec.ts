import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printReport } from '../harness/scenario-report.js';
import { awaitDeliveries, deliveryRows, expectDelivered } from './support/purchase-deliveries.js';
import { startPurchaseDeployment, type PurchaseDeployment } from './support/purchase-deployment.js';
import { acceptedIds, buyMany, seedCard } from '../support/purchase-traffic.js';

/**
 * The broker crashes and comes back empty (Redis keeps nothing on disk here): the events of
 * purchases nobody had handled yet are gone with their streams and groups. The outbox holds
 * them: once its grace is over it publishes them again, and every receipt and notification
 * goes out, once.
 */
describe('broker restarted empty', () => {
  let flow: PurchaseDeployment;

  beforeAll(async () => {
    flow = await startPurchaseDeployment({ name: 'broker-empty' });
  });
  afterAll(async () => {
    await flow?.dispose();
  });

  it('republishes from the outbox what the broker lost', async () => {
    const subscriber = await flow.subscriber('subscriber');
    const card = await seedCard(flow.deployment);
    const before = await buyMany(flow.front, card, 20);
    // The subscribers are away: these purchases' events wait in the broker, and die with it.
    await subscriber.stop();
    const waiting = await buyMany(flow.front, card, 40);
    const streamLength = await flow.deployment.redis
      .client()
      .xlen(flow.deployment.keys.stream('purchase.completed'));

    await flow.deployment.redis.kill();
    await flow.deployment.redis.start();
    const restartedAt = Date.now();
    const emptied = await flow.deployment.redis
      .client()
      .exists(flow.deployment.keys.stream('purchase.completed'));
    await subscriber.restart();
    const after = await buyMany(flow.front, card, 20);

    const ids = acceptedIds([...before, ...waiting, ...after]);
    const outcome = await awaitDeliveries(flow.deployment, flow, ids, { since: restartedAt });
    printReport('broker restarted empty', deliveryRows(outcome), [
      `${acceptedIds(waiting).length} purchases' events were waiting in the broker when it died (stream length ${streamLength}); after the restart the stream ${emptied ? 'existed' : 'was gone'}`,
      'time to recover counts from the restart; the outbox waits purchaseFlow.outbox.graceMs first',
    ]);

    expect(emptied, 'the broker came back empty').toBe(0);
    expectDelivered(outcome);
  });
});
