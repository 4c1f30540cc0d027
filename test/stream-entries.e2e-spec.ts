import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../src/platform/event-bus/event-envelope.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { RedisStreamsKeys } from '../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';
import { busCatalogue } from './fixtures/bus/pipelines.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { captureLogs } from './support/log-lines.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/** One capture for the file: nestjs-pino keeps the first app's stream. */
const { lines, logStream } = captureLogs();

/**
 * Entries that are not events, or that retention trimmed away while pending, exist only on
 * Redis: the in-process log holds only what its publisher wrote, and keeps the text of an
 * event it handed out until the event is settled. Real profile only, then.
 */
describe.runIf(profiles.includes('real'))('stream entries that are not events, on Redis', () => {
  let profile: ProfileResources;
  let keys: RedisStreamsKeys;
  let redis: Redis;
  let app: TestApp | undefined;

  beforeAll(async () => {
    profile = await prepareProfile('real');
    keys = new RedisStreamsKeys(profile.overrides.bus!.keyPrefix!);
    redis = new Redis(REDIS_URL);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    redis?.disconnect();
    await profile?.dispose();
  });

  const start = () =>
    startTestApp(profile, {
      catalogue: busCatalogue,
      logStream,
      overrides: { pipelines: ['audit', 'shipping'], log: { level: 'warn' } },
    });

  it('dead-letters an entry with no envelope, or one that does not parse, with a log line each', async () => {
    app = await start();
    const stream = keys.stream('order.placed');
    const bare = await redis.xadd(stream, '*', 'orderId', 'no-envelope');
    const garbled = await redis.xadd(stream, '*', 'envelope', '{"id": "cut off');
    // A good event after them is handled as usual.
    const good = await app.app
      .get(EventBus)
      .publish({ name: 'order.placed' }, { orderId: 'after-poison', amount: 1 }, 'test');

    const letters = await eventually(
      async () => {
        const malformed = (await app!.app.get(EventBus).listDeadLetters(50)).filter(
          (l) => l.reason === 'malformed-envelope',
        );
        return malformed.length === 4 && malformed;
      },
      10_000,
      'both entries dead-lettered for both pipelines',
    );
    const byPipeline = (pipeline: string) =>
      letters.filter((l) => l.pipeline === pipeline).map((l) => [l.error, l.envelope]);
    for (const pipeline of ['audit', 'shipping']) {
      expect(byPipeline(pipeline).sort()).toEqual(
        [
          ['event is not valid JSON', '{"id": "cut off'],
          [
            'the stream entry has no envelope field',
            'a stream entry without an envelope: orderId no-envelope',
          ],
        ].sort(),
      );
      for (const id of [bare, garbled])
        expect(
          lines.some((l) =>
            l.msg?.includes(`${id} dead-lettered for ${pipeline} (malformed-envelope)`),
          ),
        ).toBe(true);
    }
    await eventually(() =>
      app!.app
        .get(ReceivedEvents)
        .done('audit')
        .some((r) => r.envelope.id === good.id),
    );
  });

  it('warns, naming the event, pipeline and id, of a pending event trimmed away before it was handled', async () => {
    const stream = keys.stream('order.placed');
    await redis.xgroup('CREATE', stream, 'audit', '$', 'MKSTREAM').catch(() => undefined);
    // A replica read it and stopped; retention trimmed it away while it was pending.
    const envelope = createEnvelope('order.placed', { orderId: 'trimmed', amount: 1 }, 'test');
    const id = (await redis.xadd(stream, '*', 'envelope', JSON.stringify(envelope)))!;
    await redis.xreadgroup(
      'GROUP',
      'audit',
      'stopped-replica',
      'COUNT',
      10,
      'STREAMS',
      stream,
      '>',
    );
    await redis.xtrim(stream, 'MAXLEN', 0);

    app = await start();
    const warning = await eventually(
      () => lines.find((l) => l.msg?.includes(id) && l.msg.includes('trimmed away')),
      10_000,
      'a warning about the trimmed event',
    );
    expect(warning.msg).toContain(`order.placed ${id} for audit`);
    expect(await redis.xpending(stream, 'audit')).toEqual([0, null, null, null]);
  });
});
