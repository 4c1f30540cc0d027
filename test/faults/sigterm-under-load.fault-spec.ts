import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBy } from '../harness/reckoning.js';
import { printReport } from '../harness/scenario-report.js';
import { deadLetterSamples, failedDeliveryLines } from './support/app-logs.js';
import { awaitDeliveries, deliveryRows, expectDelivered } from './support/purchase-deliveries.js';
import { startPurchaseDeployment, type PurchaseDeployment } from './support/purchase-deployment.js';
import { acceptedIds, purchaseTraffic, seedCard } from '../support/purchase-traffic.js';
import { pause, timed } from './support/steps.js';

/**
 * How long a stopped process may take to exit before the harness SIGKILLs it: far beyond
 * `shutdown.timeoutMs` (500 ms here), so that only a process that does not stop by itself meets it.
 */
const GRACE_MS = 10_000;

/**
 * SIGTERM under load: the subscribers' process, then the front's, are stopped gracefully
 * while callers keep buying, and started again. Each exits by itself: the front stops taking
 * HTTP work first (503 with `Connection: close`), then drains. A graceful stop finishes what it
 * holds, so nothing may be lost nor sent twice, and a process started with events waiting must
 * handle its first ones like any other: none dead-lettered because it was not yet initialised.
 */
describe('SIGTERM under load', () => {
  let flow: PurchaseDeployment;

  beforeAll(async () => {
    flow = await startPurchaseDeployment({ name: 'sigterm' });
  });
  afterAll(async () => {
    await flow?.dispose();
  });

  it('exits by itself, loses and duplicates nothing, and a restarted process dead-letters none of its first events', async () => {
    const subscriber = await flow.subscriber('subscriber');
    const card = await seedCard(flow.deployment);
    const traffic = purchaseTraffic(flow.front, card, { callers: 4, pauseMs: 10 });
    await pause(2000);

    const stops: string[] = [];
    const took = await timed({
      // The subscribers stop under load; events pile up in their groups meanwhile.
      'subscribers stop': async () => stops.push(`subscribers ${await subscriber.stop(GRACE_MS)}`),
      'subscribers away': () => pause(1500),
      'subscribers start': () => subscriber.restart(),
      'under load': () => pause(1500),
      // The front stops with requests in flight: those it accepted are recorded and published.
      'front stops': async () => stops.push(`front ${await flow.front.stop(GRACE_MS)}`),
      'front starts': () => flow.front.restart(),
      'load again': () => pause(1500),
    });
    const answers = await traffic.stop();
    const faultEnd = Date.now();

    const ids = acceptedIds(answers);
    const outcome = await awaitDeliveries(flow.deployment, flow, ids, { since: faultEnd });
    const deadLetters = await flow.deployment.deadLetters();
    const failedLines = [flow.front, subscriber].map((app) => failedDeliveryLines(app.output()));
    printReport('SIGTERM under load', deliveryRows(outcome), [
      `${answers.length} requests: ${ids.length} accepted; while the front stopped and restarted, ${answers.filter((a) => a.status === 503).length} answered 503 (shutting down), ${answers.filter((a) => a.status === 0).length} found the port closed`,
      `steps: ${took}; stops: ${stops.join(', ')} (killed: still running ${GRACE_MS / 1000} s after SIGTERM)`,
      `failed deliveries logged: front ${failedLines[0]}, subscribers ${failedLines[1]}; dead letters: ${deadLetters.length}`,
      ...deadLetterSamples(deadLetters),
    ]);

    expect(ids.length).toBeGreaterThan(0);
    // Not SIGKILLed after the grace: each stopped taking work, drained and exited.
    expect(stops).toEqual(['subscribers exited', 'front exited']);
    expect(answers.filter((a) => ![201, 503, 0].includes(a.status)).map((a) => a.status)).toEqual(
      [],
    );
    expectDelivered(outcome);
    // Nothing here is poison: a restarted process that burns deliveries dead-letters events.
    expect(
      countBy(deadLetters, (d) => `${d.pipeline}: ${d.error}`),
      'dead letters',
    ).toEqual(new Map());
  });
});
