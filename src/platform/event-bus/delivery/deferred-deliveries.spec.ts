import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Outage } from '../../reliability/outage.js';
import { BusObservers, type OutageReport } from '../bus-observers.js';
import { type Deferred, DeferredDeliveries } from './deferred-deliveries.js';
import type { DeliveryOutcome } from './deliver.js';

const down: Outage = { dependency: 'database', cause: 'ECONNREFUSED' };
const outage: DeliveryOutcome = { kind: 'outage', outage: down, error: 'Error: refused' };
const ack: DeliveryOutcome = { kind: 'ack' };

/** A trigger's deferrals with its redeliveries, reports and log lines recorded. */
function deferrals(batch = false) {
  const redelivered: Deferred<string>[][] = [];
  const reports: OutageReport[] = [];
  const lines: string[] = [];
  const observers = new BusObservers();
  observers.add({ outage: (report) => reports.push(report) });
  const deferred = new DeferredDeliveries<string>(
    {
      event: 'record.extracted',
      pipeline: 'process',
      readSize: 3,
      batch: batch ? ({} as never) : undefined,
    },
    { baseDelayMs: 100, maxDelayMs: 400 },
    observers,
    { warn: (m: string) => lines.push(m), log: (m: string) => lines.push(m) },
    (items) => redelivered.push(items),
  );
  return { deferred, redelivered, reports, lines };
}

describe('deferred deliveries', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds the events of an outage, probes with one after growing waits, then lets every one go with its attempt', () => {
    const { deferred, redelivered, reports, lines } = deferrals();
    const started = Date.now();
    expect(deferred.take('a', 1, outage, started)).toBe(true);
    expect(deferred.take('b', 3, outage, started)).toBe(true);
    expect(deferred.holding).toBe(true);
    expect(reports.map((r) => [r.phase, r.dependency, r.cause, r.pipeline])).toEqual([
      ['began', 'database', 'ECONNREFUSED', 'process'],
    ]);

    vi.advanceTimersByTime(100);
    expect(redelivered).toEqual([[{ item: 'a', attempt: 1 }]]);
    // The probe fails too: the next wait is longer, and still one event at a time.
    deferred.take('a', 1, outage, Date.now());
    vi.advanceTimersByTime(150);
    expect(redelivered).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(redelivered).toHaveLength(2);
    expect(redelivered[1]).toEqual([{ item: 'b', attempt: 3 }]);

    // The dependency answers: the rest goes, reading resumes, reported once.
    expect(deferred.take('b', 3, ack, Date.now())).toBe(false);
    expect(redelivered[2]).toEqual([{ item: 'a', attempt: 1 }]);
    expect(deferred.holding).toBe(false);
    expect(reports.map((r) => r.phase)).toEqual(['began', 'ended']);
    expect(lines).toHaveLength(2);
  });

  it('counts an outage once however many events were in flight when it began', () => {
    const { deferred, redelivered, reports } = deferrals();
    const before = Date.now();
    for (const id of ['a', 'b', 'c', 'd']) deferred.take(id, 1, outage, before);
    vi.advanceTimersByTime(100);
    // The first wait, not one doubled by every straggler.
    expect(redelivered).toEqual([[{ item: 'a', attempt: 1 }]]);
    expect(reports).toHaveLength(1);
  });

  it('is not ended by an event that started before the outage and succeeded', async () => {
    const { deferred, redelivered } = deferrals();
    const before = Date.now();
    vi.advanceTimersByTime(10);
    deferred.take('a', 1, outage, Date.now());
    expect(deferred.take('old', 1, ack, before)).toBe(false);
    expect(deferred.holding).toBe(true);
    expect(redelivered).toEqual([]);
    let resumed = false;
    void deferred.resumed().then(() => (resumed = true));
    vi.advanceTimersByTime(100);
    deferred.take('a', 1, ack, Date.now() - 1);
    await Promise.resolve();
    expect(resumed).toBe(true);
  });

  it('probes a batch trigger with a batch', () => {
    const { deferred, redelivered } = deferrals(true);
    for (const id of ['a', 'b', 'c', 'd']) deferred.take(id, 2, outage, Date.now());
    vi.advanceTimersByTime(100);
    expect(redelivered).toEqual([['a', 'b', 'c'].map((item) => ({ item, attempt: 2 }))]);
  });

  it('delivers an event asked for later after its delay, with the same attempt, and keeps reading', () => {
    const { deferred, redelivered, reports } = deferrals();
    const later: DeliveryOutcome = { kind: 'later', delayMs: 250, error: 'RetryLaterError: held' };
    expect(deferred.take('a', 2, later, Date.now())).toBe(true);
    expect(deferred.holding).toBe(false);
    expect([...deferred.items()]).toEqual(['a']);
    vi.advanceTimersByTime(249);
    expect(redelivered).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(redelivered).toEqual([[{ item: 'a', attempt: 2 }]]);
    expect([...deferred.items()]).toEqual([]);
    expect(reports).toEqual([]);
  });

  it('waits for nothing once stopped: no redelivery, and the count of what was put off', async () => {
    const { deferred, redelivered } = deferrals();
    const before = Date.now();
    vi.advanceTimersByTime(10);
    deferred.take('a', 1, outage, Date.now());
    deferred.take('b', 1, { kind: 'later', delayMs: 50, error: 'later' }, before);
    const resumed = deferred.resumed();
    expect(deferred.stop()).toBe(2);
    await resumed;
    vi.advanceTimersByTime(1000);
    expect(redelivered).toEqual([]);
  });

  it('lets a read loop wait longer after each failed read, and a read that answers end it', () => {
    const { deferred, reports } = deferrals();
    const broker: Outage = { dependency: 'broker', cause: 'MaxRetriesPerRequestError' };
    deferred.failed(broker);
    const first = deferred.nextWait();
    deferred.failed(broker);
    expect(deferred.nextWait()).toBeGreaterThan(first);
    // No events in hand: the read loop goes on reading; each read is the probe.
    expect(deferred.holding).toBe(false);
    deferred.answered(Date.now());
    expect(reports.map((r) => [r.phase, r.dependency])).toEqual([
      ['began', 'broker'],
      ['ended', 'broker'],
    ]);
  });
});
