import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBy, reckon } from '../harness/reckoning.js';
import { printReport } from '../harness/scenario-report.js';
import { awaitDeliveries, deliveryRows, expectDelivered } from './support/purchase-deliveries.js';
import { startPurchaseDeployment, type PurchaseDeployment } from './support/purchase-deployment.js';
import { acceptedIds, buyMany, seedCard } from '../support/purchase-traffic.js';
import { eventually } from '../support/test-app.js';

const SUBSCRIBERS = ['bank-notification', 'store-receipt'];

/**
 * Entries that are not events, written on the purchases' stream between real ones: one with
 * no `envelope` field, one whose envelope is not JSON. Each subscribing pipeline dead-letters
 * both, with a reason, and handles every real purchase as if they were not there.
 */
describe('poison entries on the stream', () => {
  let flow: PurchaseDeployment;

  beforeAll(async () => {
    flow = await startPurchaseDeployment({ name: 'poison' });
  });
  afterAll(async () => {
    await flow?.dispose();
  });

  it('dead-letters them with a reason and loses nothing else', async () => {
    await flow.subscriber('subscriber');
    const card = await seedCard(flow.deployment);
    const before = await buyMany(flow.front, card, 20);
    const redis = flow.deployment.redis.client();
    const stream = flow.deployment.keys.stream('purchase.completed');
    const poison = [
      await redis.xadd(stream, '*', 'note', 'no envelope here'),
      await redis.xadd(stream, '*', 'envelope', '{"id": "not json'),
    ];
    const after = await buyMany(flow.front, card, 20);
    const sentAt = Date.now();

    const ids = acceptedIds([...before, ...after]);
    const outcome = await awaitDeliveries(flow.deployment, flow, ids, { since: sentAt });
    // One dead letter per poison entry and pipeline, keyed so; a dead letter names the entry
    // by what it holds (the raw text for a malformed one), so count what arrived per pipeline.
    const expected = SUBSCRIBERS.flatMap((pipeline) => poison.map((id) => `${pipeline} ${id}`));
    const deadLetters = await eventually(
      async () => {
        const all = await flow.deployment.deadLetters();
        return all.length >= expected.length && all;
      },
      10_000,
      'the poison entries in the dead letters',
    ).catch(() => flow.deployment.deadLetters());
    // Dead letters name no stream entry id: count them per pipeline, at most one per entry.
    const perPipeline = countBy(deadLetters, (d) => d.pipeline);
    const dead = SUBSCRIBERS.flatMap((pipeline) =>
      poison.slice(0, perPipeline.get(pipeline) ?? 0).map((id) => `${pipeline} ${id}`),
    );
    printReport(
      'poison entries on the stream',
      [
        ...deliveryRows(outcome),
        {
          flow: 'poison entries dead-lettered (per pipeline)',
          reckoning: reckon(
            expected,
            countBy(dead, (key) => key),
          ),
        },
      ],
      deadLetters.map(
        (d) => `dead letter for ${d.pipeline}: ${d.reason}: ${d.error.slice(0, 120)}`,
      ),
    );

    expectDelivered(outcome);
    for (const pipeline of SUBSCRIBERS) {
      const theirs = deadLetters.filter((d) => d.pipeline === pipeline);
      expect(theirs, `dead letters of ${pipeline}`).toHaveLength(poison.length);
      for (const d of theirs) {
        expect(d.reason).toBeTruthy();
        expect(d.error, 'a dead letter says why').toBeTruthy();
      }
    }
  });
});
