import { describe, expect, it } from 'vitest';
import type { BusConfig } from '../../event-bus.config.js';
import { InProcessBroker } from './in-process.broker.js';
import { InProcessSubscription } from './in-process.subscription.js';

const config = {
  retention: { maxLength: 100 },
  streams: {},
  startFrom: 'earliest',
  deadLetter: { maxLength: 10 },
} as unknown as BusConfig;

async function subscribed(events: string[]) {
  const broker = new InProcessBroker(config);
  const subscription = new InProcessSubscription(broker, 'order.placed', 'shipping');
  await subscription.open();
  for (const raw of events) broker.publish('order.placed', raw);
  return { broker, subscription };
}

describe('in-process subscription (a backend of the consumer engine)', () => {
  it('keeps what it hands out pending until acknowledged, as a Redis group does', async () => {
    const { broker, subscription } = await subscribed(['a', 'b']);
    const read = await subscription.read(10);
    expect(read.map(({ raw, attempt }) => [raw, attempt])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(broker.backlog('order.placed')).toBe(2);
    subscription.ack(read[0]!.id);
    expect(broker.backlog('order.placed')).toBe(1);
  });

  it('hands a failed event back once its retry is due, counted, and never one the engine holds', async () => {
    const { subscription } = await subscribed(['a', 'b']);
    const [a, b] = await subscription.read(10);
    subscription.retryLater(a!.id, 0);
    subscription.retryLater(b!.id, 60_000);
    expect(subscription.awaitingRetry).toBe(2);
    expect(await subscription.due(10, (id) => id === a!.id)).toEqual([]);
    const due = await subscription.due(10, () => false);
    expect(due.map(({ raw, attempt }) => [raw, attempt])).toEqual([['a', 2]]);
    expect(subscription.awaitingRetry).toBe(1);
  });

  it('gives put-off events back with the delivery number they keep', async () => {
    const { subscription } = await subscribed(['a']);
    const [a] = await subscription.read(1);
    await subscription.uncount([{ item: a!.id, attempt: 1 }]);
    const again = await subscription.reclaim([a!.id], 1);
    expect(again.map(({ raw, attempt }) => [raw, attempt])).toEqual([['a', 1]]);
  });

  it('dead-letters an event once: stored and no longer pending together', async () => {
    const { broker, subscription } = await subscribed(['a']);
    const [a] = await subscription.read(1);
    const letter = {
      event: 'order.placed',
      pipeline: 'shipping',
      reason: 'max-deliveries' as const,
      error: 'boom',
      attempts: 3,
      deadAt: new Date().toISOString(),
      envelope: 'a',
    };
    expect(await subscription.deadLetter(a!.id, letter)).toBe('written');
    expect(await subscription.deadLetter(a!.id, letter)).toBe('not-pending');
    expect(broker.listDeadLetters()).toHaveLength(1);
    expect(broker.backlog('order.placed')).toBe(0);
  });

  it('waits for a publish when nothing is new, and a drain cuts the wait short', async () => {
    const { broker, subscription } = await subscribed([]);
    const reading = subscription.read(10);
    broker.publish('order.placed', 'late');
    expect(await reading).toEqual([]);
    expect((await subscription.read(10)).map(({ raw }) => raw)).toEqual(['late']);
    const waiting = subscription.read(10);
    subscription.interrupt();
    expect(await waiting).toEqual([]);
  });
});
