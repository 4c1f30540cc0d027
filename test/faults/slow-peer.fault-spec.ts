import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printReport } from '../harness/scenario-report.js';
import { awaitDeliveries, deliveryRows, expectDelivered } from './support/purchase-deliveries.js';
import { startPurchaseDeployment, type PurchaseDeployment } from './support/purchase-deployment.js';
import { acceptedIds, buyMany, seedCard } from '../support/purchase-traffic.js';
import { eventually } from '../support/test-app.js';

/** `purchaseFlow.notificationService.timeoutMs` in this deployment: the peer answers later. */
const TIMEOUT_MS = 1000;

/**
 * The notification service answers past the app's timeout for a while (it still shows what it
 * received: a stalled gateway), then recovers. Each notification that timed out is reprocessed
 * by error treatment and shown once (the service honours the Idempotency-Key); each error
 * record whose reprocessing succeeded ends `resolved`, none left `reprocessing`.
 */
describe('a slow peer past its timeout', () => {
  let flow: PurchaseDeployment;

  beforeAll(async () => {
    flow = await startPurchaseDeployment({
      name: 'slow-peer',
      settings: { purchaseFlow: { notificationService: { timeoutMs: TIMEOUT_MS } } },
    });
  });
  afterAll(async () => {
    await flow?.dispose();
  });

  it('delivers every notification once and resolves the error records', async () => {
    await flow.subscriber('subscriber');
    const card = await seedCard(flow.deployment);
    const before = await buyMany(flow.front, card, 10);
    flow.notifications.delayMs = TIMEOUT_MS * 1.5;
    const slow = await buyMany(flow.front, card, 30);
    // Until the first of them has timed out: the episode is over before any is reprocessed.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS));
    flow.notifications.delayMs = 0;
    const recoveredAt = Date.now();
    const after = await buyMany(flow.front, card, 10);

    const ids = acceptedIds([...before, ...slow, ...after]);
    const outcome = await awaitDeliveries(flow.deployment, flow, ids, { since: recoveredAt });
    type Row = { status: string; n: number };
    const records = async () =>
      flow.deployment.query<Row[]>(
        "SELECT status, COUNT(*) AS n FROM error_records WHERE pipeline = 'bank-notification' GROUP BY status",
      );
    // Error treatment settles a record after the retry it asked for has been delivered.
    const settled = await eventually(
      async () => {
        const rows = await records();
        return rows.every((r) => r.status === 'resolved') && rows;
      },
      10_000,
      'the error records to be resolved',
    ).catch(records);
    const byStatus = Object.fromEntries(settled.map((r) => [r.status, Number(r.n)]));
    printReport(
      `a slow peer (${TIMEOUT_MS * 1.5} ms, timeout ${TIMEOUT_MS} ms)`,
      deliveryRows(outcome),
      [
        `notification POSTs that timed out and were sent again under the same Idempotency-Key: ${outcome.notificationRepeats}`,
        `error records of bank-notification by status: ${JSON.stringify(byStatus)}`,
        'time to recover counts from the peer answering in time again',
      ],
    );

    expect(outcome.notificationRepeats, 'notifications timed out and reprocessed').toBeGreaterThan(
      0,
    );
    expectDelivered(outcome);
    expect(byStatus, 'error records of the episode').toEqual({ resolved: expect.any(Number) });
  });
});
