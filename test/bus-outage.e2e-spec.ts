import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { RedisStreamsKeys } from '../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';
import {
  entryBooked,
  LEDGER_MAX_DELIVERIES,
  ledgerCatalogue,
  LedgerTable,
} from './fixtures/bus/ledger-pipeline.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { databaseOutage, type DatabaseOutage } from './harness/database-outage.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

describe.each(profiles)('outages waited out by the bus on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let outage: DatabaseOutage;
  let running: TestApp[] = [];

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    outage = await databaseOutage(profile);
  });
  afterEach(async () => {
    await outage.end().catch(() => undefined);
    await Promise.all(running.map((app) => app.close()));
    running = [];
  });
  afterAll(async () => {
    await outage?.dispose();
    await profile?.dispose();
  });

  async function start(): Promise<TestApp> {
    const app = await startTestApp(profile, {
      catalogue: ledgerCatalogue,
      overrides: outage.overrides,
    });
    running.push(app);
    return app;
  }

  /** The deliveries of the entries with these keys, in order, and which of them succeeded. */
  const deliveriesOf = (app: TestApp, key: string, state: 'started' | 'done' = 'started') =>
    app.app
      .get(ReceivedEvents)
      .all.filter((r) => r.state === state && (r.envelope.payload as { key: string }).key === key);
  /** Dead letters of the entries with these keys (the dead letters outlive each spec's app). */
  const deadLetters = async (app: TestApp, keys: string[]) =>
    (await app.app.get(EventBus).listDeadLetters(100)).filter(
      (l) =>
        typeof l.envelope === 'object' &&
        keys.includes((l.envelope.payload as { key: string }).key),
    );

  it('holds the events of a database outage longer than their delivery limit, then books every one, uncounted', async () => {
    const app = await start();
    const bus = app.app.get(EventBus);
    const keys = ['a', 'b', 'c'].map((k) => `${k}-${profileName}-outage`);
    await outage.begin();
    for (const key of keys) await bus.publish(entryBooked, { key }, 'test');

    // The outage outlasts the trigger's limit: an entry is delivered more often than it allows.
    await eventually(
      () => keys.some((key) => deliveriesOf(app, key).length > LEDGER_MAX_DELIVERIES + 1),
      20_000,
      `an entry delivered more than ${LEDGER_MAX_DELIVERIES + 1} times while the database is away`,
    );
    await outage.end();

    await eventually(
      async () => (await app.app.get(LedgerTable).keys()).length === keys.length,
      15_000,
      'every entry booked once the database answers',
    );
    expect(await app.app.get(LedgerTable).keys()).toEqual([...keys].sort());
    expect(await deadLetters(app, keys)).toEqual([]);
    for (const key of keys) {
      expect(deliveriesOf(app, key, 'done')).toHaveLength(1);
      // Every delivery during the outage kept number 1: none of them counted.
      expect(new Set(deliveriesOf(app, key).map((d) => d.attempt))).toEqual(new Set([1]));
    }
  });

  it('still dead-letters, after its delivery limit, an entry whose own data fails (a duplicate key)', async () => {
    const app = await start();
    const bus = app.app.get(EventBus);
    const key = `dup-${profileName}`;
    await bus.publish(entryBooked, { key }, 'test');
    await eventually(() => deliveriesOf(app, key, 'done').length === 1);
    const second = await bus.publish(entryBooked, { key }, 'test');

    const [letter] = await eventually(async () => {
      const letters = await deadLetters(app, [key]);
      return letters.length > 0 && letters;
    });
    expect(letter).toMatchObject({
      event: 'entry.booked',
      reason: 'max-deliveries',
      attempts: LEDGER_MAX_DELIVERIES,
      envelope: { id: second.id },
    });
    expect(letter!.error).toMatch(/Duplicate entry|UNIQUE constraint failed/);
  });

  it('delivers again, uncounted, an entry whose trigger asks for it later (RetryLaterError)', async () => {
    const app = await start();
    const key = `later-${profileName}`;
    const laterTimes = LEDGER_MAX_DELIVERIES + 1;
    await app.app.get(EventBus).publish(entryBooked, { key, laterTimes }, 'test');
    await eventually(
      () => deliveriesOf(app, key, 'done').length === 1,
      10_000,
      'the entry booked after it asked for later',
    );
    expect(deliveriesOf(app, key).map((d) => d.attempt)).toEqual(
      Array.from({ length: laterTimes + 1 }, () => 1),
    );
    expect(await deadLetters(app, [key])).toEqual([]);
  });

  // Only a broker keeps events across processes: the in-process bus drops what it held at
  // shutdown (with a warning), as it drops everything else.
  it.runIf(profileName === 'real')(
    'leaves held events pending at shutdown with their real delivery count, for a replica to take over',
    async () => {
      const first = await start();
      const keys = ['x', 'y'].map((k) => `${k}-takeover`);
      await outage.begin();
      for (const key of keys) await first.app.get(EventBus).publish(entryBooked, { key }, 'test');
      await eventually(
        () => keys.every((key) => deliveriesOf(first, key).length > LEDGER_MAX_DELIVERIES),
        20_000,
        `both entries delivered more than ${LEDGER_MAX_DELIVERIES} times while the database is away`,
      );
      // Shutdown does not wait for held events: they stay pending on the stopped consumer.
      await first.close();
      running = [];

      const keysOf = new RedisStreamsKeys(profile.overrides.bus!.keyPrefix!);
      const redis = new Redis(REDIS_URL);
      try {
        const pending = (await redis.xpending(
          keysOf.stream('entry.booked'),
          'ledger',
          '-',
          '+',
          10,
        )) as [string, string, number, number][];
        // No delivery during the outage counted: a replica taking them over sees delivery 1.
        expect(pending.map(([, , , deliveries]) => deliveries)).toEqual([0, 0]);
      } finally {
        redis.disconnect();
      }

      await outage.end();
      const second = await start();
      await eventually(
        () => keys.every((key) => deliveriesOf(second, key, 'done').length === 1),
        15_000,
        'the replica to take both entries over and book them',
      );
      for (const key of keys) expect(deliveriesOf(second, key).map((d) => d.attempt)).toEqual([1]);
      expect(await deadLetters(second, keys)).toEqual([]);
    },
  );
});
