import { describe, expect, it } from 'vitest';
import type { BusConfig } from '../../event-bus.config.js';
import { InProcessBroker } from './in-process.broker.js';

const config = (overrides: Partial<BusConfig> = {}) =>
  ({
    retention: { maxLength: 3 },
    streams: {},
    startFrom: 'earliest',
    deadLetter: { maxLength: 2 },
    ...overrides,
  }) as BusConfig;

describe('in-process broker', () => {
  it('gives every group every event, each at its own pace', () => {
    const broker = new InProcessBroker(config());
    const audit = broker.subscribe('order.placed', 'audit');
    const shipping = broker.subscribe('order.placed', 'shipping');
    broker.publish('order.placed', 'a');
    broker.publish('order.placed', 'b');
    expect(audit.take(10).map((e) => e.raw)).toEqual(['a', 'b']);
    expect(shipping.take(1).map((e) => e.raw)).toEqual(['a']);
    expect(shipping.lag).toBe(1);
    expect(shipping.take(10).map((e) => e.raw)).toEqual(['b']);
    expect(audit.take(10)).toEqual([]);
  });

  it('lets a group created later start from the earliest retained event, or the latest', () => {
    const earliest = new InProcessBroker(config());
    earliest.publish('e', '1');
    expect(
      earliest
        .subscribe('e', 'late')
        .take(10)
        .map((e) => e.raw),
    ).toEqual(['1']);
    const latest = new InProcessBroker(config({ startFrom: 'latest' }));
    latest.publish('e', '1');
    const cursor = latest.subscribe('e', 'late');
    latest.publish('e', '2');
    expect(cursor.take(10).map((e) => e.raw)).toEqual(['2']);
  });

  it('trims the log to its retention, and a slow group skips what was trimmed', () => {
    const broker = new InProcessBroker(config());
    const slow = broker.subscribe('e', 'slow');
    for (const raw of ['1', '2', '3', '4', '5']) broker.publish('e', raw);
    expect(broker.streamLength('e')).toBe(3);
    expect(slow.take(10).map((e) => e.raw)).toEqual(['3', '4', '5']);
  });

  it('keeps the newest dead letters up to their limit, and gives one back once', () => {
    const broker = new InProcessBroker(config());
    const letter = {
      event: 'e',
      pipeline: 'p',
      reason: 'max-deliveries' as const,
      error: 'x',
      attempts: 1,
      deadAt: '',
      envelope: 'raw',
    };
    const first = broker.addDeadLetter(letter);
    broker.addDeadLetter(letter);
    const third = broker.addDeadLetter(letter);
    expect(broker.listDeadLetters().map((l) => l.id)).toEqual(['2', '3']);
    expect(broker.takeDeadLetter(first.id)).toBeUndefined();
    expect(broker.takeDeadLetter(third.id)?.id).toBe('3');
    expect(broker.takeDeadLetter(third.id)).toBeUndefined();
  });
});
