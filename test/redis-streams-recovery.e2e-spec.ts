import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../src/platform/event-bus/event-envelope.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { RedisStreamsClient } from '../src/platform/event-bus/transports/redis-streams/redis-streams.client.js';
import { ENVELOPE_FIELD } from '../src/platform/event-bus/transports/redis-streams/redis-streams.events.js';
import { RedisStreamsKeys } from '../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';
import { auditPipeline, busCatalogue } from './fixtures/bus/pipelines.js';
import { orderPlaced } from './fixtures/bus/order-events.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { captureLogs } from './support/log-lines.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/** One capture for the file: nestjs-pino keeps the first app's stream. */
const { lines, logStream } = captureLogs();

/** What the Redis Streams transport does when Redis changes under it. Redis only. */
describe.runIf(profiles.includes('real'))('the Redis Streams transport recovering', () => {
  let profile: ProfileResources;
  let keys: RedisStreamsKeys;
  let redis: Redis;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile('real');
    keys = new RedisStreamsKeys(profile.overrides.bus!.keyPrefix!);
    redis = new Redis(REDIS_URL);
    app = await startTestApp(profile, {
      catalogue: busCatalogue,
      logStream,
      // From the end of a stream at start: what a group recreated the same way would skip.
      overrides: {
        pipelines: [auditPipeline.name],
        log: { level: 'warn' },
        bus: { startFrom: 'latest', blockMs: 200 },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await profile?.dispose();
  });

  it('recreates a consumer group deleted under it from the start of the stream, with a warning', async () => {
    const received = app.app.get(ReceivedEvents);
    const handled = (id: string) =>
      received.done(auditPipeline.name).some((r) => r.envelope.id === id);
    const before = await app.app
      .get(EventBus)
      .publish(orderPlaced, { orderId: 'before', amount: 1 }, 'test');
    await eventually(() => handled(before.id), 10_000, 'the first order to be audited');

    // The group goes and an event comes in one step: the consumer learns of it only after.
    const meanwhile = createEnvelope(orderPlaced.name, { orderId: 'meanwhile', amount: 2 }, 'test');
    const stream = keys.stream(orderPlaced.name);
    await redis
      .multi()
      .xgroup('DESTROY', stream, auditPipeline.name)
      .xadd(stream, '*', ENVELOPE_FIELD, JSON.stringify(meanwhile))
      .exec();

    await eventually(() => handled(meanwhile.id), 10_000, 'the order published meanwhile');
    expect(
      lines.some(
        (line) =>
          line.level === 40 &&
          line.msg?.includes(`consumer group ${auditPipeline.name} of ${stream} is gone`),
      ),
    ).toBe(true);
  });

  it('connects once for a burst of publishes, without piling up listeners', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const client = new RedisStreamsClient(app.config.bus, app.config.redis);
    try {
      const burst = Array.from({ length: 30 }, (_, i) =>
        client.dispatch(
          createEnvelope(orderPlaced.name, { orderId: `burst-${i}`, amount: i }, 'test'),
        ),
      );
      const connection = client.unwrap<Redis>();
      // Ours (the reconnect notice) and one wait for the connection, however many publish.
      expect(connection.listenerCount('ready')).toBeLessThanOrEqual(2);
      await Promise.all(burst);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await client.close();
    }
  });
});
