import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printReport } from '../harness/scenario-report.js';
import { awaitDeliveries, deliveryRows, expectDelivered } from './support/purchase-deliveries.js';
import { startPurchaseDeployment, type PurchaseDeployment } from './support/purchase-deployment.js';
import {
  acceptedIds,
  type Answer,
  buy,
  purchaseTraffic,
  seedCard,
} from '../support/purchase-traffic.js';
import { pause } from './support/steps.js';

/** The outage: Redis unreachable for 12 s while purchases come in. */
const OUTAGE_MS = 12_000;
/** Purchases are sent during the first half of the outage, so that each has time to answer. */
const SENDING_MS = OUTAGE_MS / 2;

/** Median and highest of answer times, in ms. */
function spread(answers: Answer[]): string {
  const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
  if (ms.length === 0) return 'none';
  return `median ${ms[Math.floor(ms.length / 2)]} ms, max ${ms[ms.length - 1]} ms`;
}

/**
 * The broker cut for 12 s (a relay between every process and Redis) while callers buy. The
 * synchronous model answers at once: a purchase is recorded and left to the outbox, so every
 * request sent during the outage is answered while the broker is still cut (the answer times
 * are reported, not asserted), and once it is back every accepted purchase has its receipt and
 * notification.
 */
describe('broker outage during purchases', () => {
  let flow: PurchaseDeployment;

  beforeAll(async () => {
    flow = await startPurchaseDeployment({ name: 'broker-outage' });
  });
  afterAll(async () => {
    await flow?.dispose();
  });

  it('answers every purchase while the broker is cut, and delivers them all once it is back', async () => {
    await flow.subscriber('subscriber');
    const card = await seedCard(flow.deployment);
    const before = await purchaseTraffic(flow.front, card, { callers: 2, max: 20 }).finished;

    await flow.deployment.brokerRelay.cut();
    const cutAt = Date.now();
    const during: Answer[] = [];
    // Two callers, one purchase after another, for the first half of the outage.
    const callers = Promise.all(
      [1, 2].map(async () => {
        while (Date.now() - cutAt < SENDING_MS) during.push(await buy(flow.front, card));
      }),
    );
    await pause(SENDING_MS);
    const notReady = (await flow.front.fetch('/health/ready')).status;
    // The broker returns when the outage is over, whether or not the purchases were answered.
    await pause(Math.max(0, cutAt + OUTAGE_MS - Date.now()));
    await flow.deployment.brokerRelay.open();
    const restoredAt = Date.now();
    await callers;
    const answeredBy = Math.max(...during.map((a) => a.sentAt + a.ms));
    const after = await purchaseTraffic(flow.front, card, { callers: 2, max: 20 }).finished;

    const ids = acceptedIds([...before, ...during, ...after]);
    const outcome = await awaitDeliveries(flow.deployment, flow, ids, { since: restoredAt });
    printReport(`broker outage (${OUTAGE_MS / 1000} s) during purchases`, deliveryRows(outcome), [
      `answers while the broker was cut: ${during.length} (${during.filter((a) => a.status === 201).length} × 201, others ${
        during
          .filter((a) => a.status !== 201)
          .map((a) => a.status)
          .join(', ') || 'none'
      }): ${spread(during)}`,
      `answers before the outage: ${spread(before)}; after: ${spread(after)}`,
      `last answer to a purchase sent during the outage: ${((answeredBy - cutAt) / 1000).toFixed(1)} s after the cut, the broker back at ${((restoredAt - cutAt) / 1000).toFixed(1)} s`,
      `readiness during the outage: ${notReady}; time to recover counts from the broker's return`,
    ]);

    expect(during.length).toBeGreaterThan(0);
    // Answered while the broker was still cut: the synchronous answer does not wait for it.
    expect(
      answeredBy,
      'every purchase sent during the outage answered before the broker returned',
    ).toBeLessThan(restoredAt);
    expect(
      during.every((a) => a.status === 201),
      'purchases during the outage accepted',
    ).toBe(true);
    expect(notReady, 'readiness during the outage').toBe(503);
    expectDelivered(outcome);
  });
});
