import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../harness/app-process.js';
import { scaledTimings } from '../harness/scaled-config.js';
import { printReport } from '../harness/scenario-report.js';
import { awaitDeliveries, deliveryRows, expectDelivered } from './support/purchase-deliveries.js';
import { startPurchaseDeployment, type PurchaseDeployment } from './support/purchase-deployment.js';
import { acceptedIds, purchaseTraffic, seedCard } from '../support/purchase-traffic.js';
import { pause } from './support/steps.js';

/** `purchaseFlow.deliveryLeaseMs` as the deployment runs it (the scaled default). */
const LEASE_MS = (scaledTimings(20).purchaseFlow as { deliveryLeaseMs: number }).deliveryLeaseMs;

/**
 * A subscriber replica SIGKILLed mid-flow, its twin still running: the events it held are
 * taken over after `bus.claimIdleMs`, the deliveries it had claimed after their lease
 * (`purchaseFlow.deliveryLeaseMs`). With the claim idle time below the lease, the takeover
 * meets a live lease; above it, an expired one. Either way every receipt and notification
 * goes out; a receipt may go out twice only if the killed replica was sending it (SMTP has no
 * idempotency key), so at most as many as deliveries were `sending` when it died.
 */
describe('subscriber SIGKILL mid-flow', () => {
  let flow: PurchaseDeployment;
  let replicas: AppProcess[] = [];

  beforeAll(async () => {
    flow = await startPurchaseDeployment({ name: 'sigkill' });
  });
  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.kill()));
    replicas = [];
    flow.smtp.delayMs = 0;
  });
  afterAll(async () => {
    await flow?.dispose();
  });

  it.each([
    ['below', LEASE_MS / 2],
    ['above', LEASE_MS * 2],
  ])('loses nothing with bus.claimIdleMs %s the delivery lease', async (where, claimIdleMs) => {
    const env = { BUS_CLAIM_IDLE_MS: String(claimIdleMs) };
    let doomed: AppProcess;
    try {
      doomed = await flow.subscriber(`replica-a-${where}`, env);
    } catch (error) {
      // Refusing such a configuration at start, naming both keys, is the other way to be safe.
      expect((error as Error).message).toMatch(
        /claimIdleMs[\s\S]*deliveryLeaseMs|deliveryLeaseMs[\s\S]*claimIdleMs/,
      );
      printReport(
        `subscriber SIGKILL, claim idle ${where} the lease`,
        [],
        [`refused at start: ${(error as Error).message.split('\n')[0]}`],
      );
      return;
    }
    replicas.push(doomed, await flow.subscriber(`replica-b-${where}`, env));
    const card = await seedCard(flow.deployment);
    // A slow mailbox keeps receipts in flight: the kill lands mid-send.
    flow.smtp.delayMs = 1000;
    const traffic = purchaseTraffic(flow.front, card, { callers: 4, pauseMs: 20 });
    await pause(1500);
    await doomed.kill();
    const killedAt = Date.now();
    const inFlight = await flow.deployment.query<{ channel: string; n: number }[]>(
      "SELECT channel, COUNT(*) AS n FROM purchase_deliveries WHERE status = 'sending' GROUP BY channel",
    );
    await pause(1000);
    const answers = await traffic.stop();
    flow.smtp.delayMs = 0;

    const ids = acceptedIds(answers);
    const outcome = await awaitDeliveries(flow.deployment, flow, ids, { since: killedAt });
    const sending = (channel: string) =>
      Number(inFlight.find((r) => r.channel === channel)?.n ?? 0);
    const allowed = { receipts: sending('receipt'), notifications: 0 };
    printReport(
      `subscriber SIGKILL, bus.claimIdleMs ${claimIdleMs} ms ${where} purchaseFlow.deliveryLeaseMs ${LEASE_MS} ms`,
      deliveryRows(outcome, allowed),
      [
        `${ids.length} purchases accepted; deliveries sending when the replica died: ${sending('receipt')} receipts, ${sending('notification')} notifications`,
        `notification POSTs repeated under the same Idempotency-Key (absorbed by the service): ${outcome.notificationRepeats}`,
        `time to recover counts from the kill`,
      ],
    );
    expect(ids.length).toBeGreaterThan(0);
    expectDelivered(outcome, allowed.receipts);
  });
});
