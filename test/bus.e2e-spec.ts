import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BusObservers } from '../src/platform/event-bus/bus-observers.js';
import type { DeadLetter } from '../src/platform/event-bus/delivery/dead-letter.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { busCatalogue, echoPipeline } from './fixtures/bus/pipelines.js';
import { echoPing } from './fixtures/bus/order-events.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

describe.each(profiles)('event bus on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let running: TestApp[] = [];

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
  });
  afterEach(async () => {
    await Promise.all(running.map((app) => app.close()));
    running = [];
  });
  afterAll(async () => {
    await profile?.dispose();
  });

  async function start(options: Parameters<typeof startTestApp>[1]): Promise<TestApp> {
    const app = await startTestApp(profile, options);
    running.push(app);
    return app;
  }

  const received = (app: TestApp) => app.app.get(ReceivedEvents);

  it('fans an event out to every subscribed pipeline and carries the flow across them', async () => {
    const app = await start({ catalogue: busCatalogue });
    const orderId = `fan-${profileName}`;
    const response = await app.http
      .post('/api/v1/test/orders')
      .set('X-Correlation-Id', `corr-${orderId}`)
      .send({ orderId, amount: 120 })
      .expect(201);
    expect(response.headers['x-correlation-id']).toBe(`corr-${orderId}`);

    const byPipeline = (pipeline: string, event: string) =>
      received(app)
        .done(pipeline, event)
        .filter((r) => (r.envelope.payload as { orderId: string }).orderId === orderId);
    const [audit] = await eventually(
      () => byPipeline('audit', 'order.placed').length && byPipeline('audit', 'order.placed'),
    );
    const [shipping] = await eventually(
      () => byPipeline('shipping', 'order.placed').length && byPipeline('shipping', 'order.placed'),
    );
    // The audit pipeline's own event reaches shipping one hop later, in the same flow.
    const [audited] = await eventually(
      () =>
        byPipeline('shipping', 'order.audited').length && byPipeline('shipping', 'order.audited'),
    );

    expect(audit!.envelope.id).toBe(response.body.eventId);
    expect(shipping!.envelope.id).toBe(response.body.eventId);
    expect(audit!.envelope).toMatchObject({
      name: 'order.placed',
      source: 'orders',
      correlationId: `corr-${orderId}`,
      hops: 0,
    });
    expect(audit!.envelope.causationId).toBeUndefined();
    expect(audited!.envelope).toMatchObject({
      name: 'order.audited',
      source: 'audit',
      correlationId: `corr-${orderId}`,
      causationId: response.body.eventId,
      hops: 1,
    });
    // Each pipeline got it exactly once.
    await new Promise((r) => setTimeout(r, 300));
    expect(byPipeline('audit', 'order.placed')).toHaveLength(1);
    expect(byPipeline('shipping', 'order.placed')).toHaveLength(1);
  });

  it('delivers an event published before its subscriber pipeline runs once it starts', async () => {
    let subscriber: TestApp;
    if (profileName === 'real') {
      // Only the publisher runs: the event is published with nobody listening, then it stops.
      const publisher = await start({
        catalogue: busCatalogue,
        overrides: { pipelines: ['orders'] },
      });
      await publisher.http
        .post('/api/v1/test/orders')
        .send({ orderId: `late-${profileName}`, amount: 5 })
        .expect(201);
      await publisher.close();
      running = [];
      subscriber = await start({ catalogue: busCatalogue, overrides: { pipelines: ['audit'] } });
    } else {
      // In process, the bus lives as long as the app: publish before its triggers listen.
      subscriber = await start({
        catalogue: busCatalogue,
        overrides: { pipelines: ['orders', 'audit'] },
        listen: false,
      });
      await subscriber.http
        .post('/api/v1/test/orders')
        .send({ orderId: `late-${profileName}`, amount: 5 })
        .expect(201);
      expect(received(subscriber).all).toHaveLength(0);
      await subscriber.app.startAllMicroservices();
    }
    await eventually(
      () =>
        received(subscriber)
          .done('audit')
          .some(
            (r) => (r.envelope.payload as { orderId: string }).orderId === `late-${profileName}`,
          ),
      10_000,
      'the late subscriber to receive the event',
    );
  });

  it('redelivers an event whose handler throws, then dead-letters it after the trigger limit', async () => {
    const app = await start({ catalogue: busCatalogue });
    const bus = app.app.get(EventBus);
    const noticed: Omit<DeadLetter, 'id'>[] = [];
    app.app.get(BusObservers).add({ deadLettered: (letter) => noticed.push(letter) });
    // Fails twice, succeeds on the third (and last allowed) delivery.
    await app.http
      .post('/api/v1/test/orders')
      .send({ orderId: `retry-${profileName}`, amount: 1, failTimes: 2 })
      .expect(201);
    // Fails on every delivery: dead after maxDeliveries = 3.
    await app.http
      .post('/api/v1/test/orders')
      .send({ orderId: `dead-${profileName}`, amount: 1, failTimes: 99 })
      .expect(201);

    const attemptsOf = (orderId: string) =>
      received(app)
        .all.filter(
          (r) =>
            r.pipeline === 'shipping' &&
            r.state === 'started' &&
            (r.envelope.payload as { orderId: string }).orderId === orderId,
        )
        .map((r) => r.attempt);
    await eventually(() =>
      received(app)
        .done('shipping', 'order.placed')
        .some(
          (r) => (r.envelope.payload as { orderId: string }).orderId === `retry-${profileName}`,
        ),
    );
    expect(attemptsOf(`retry-${profileName}`)).toEqual([1, 2, 3]);

    const letter = await eventually(async () =>
      (await bus.listDeadLetters(50)).find(
        (l) =>
          typeof l.envelope === 'object' &&
          (l.envelope.payload as { orderId: string }).orderId === `dead-${profileName}`,
      ),
    );
    expect(letter).toMatchObject({
      event: 'order.placed',
      pipeline: 'shipping',
      reason: 'max-deliveries',
      attempts: 3,
    });
    expect(letter.error).toContain(`shipping refused order dead-${profileName} on attempt 3`);
    expect(attemptsOf(`dead-${profileName}`)).toEqual([1, 2, 3]);
    // Observers hear of it once, with the letter as written, after it was written.
    expect(noticed).toEqual([
      {
        event: 'order.placed',
        pipeline: 'shipping',
        reason: 'max-deliveries',
        error: letter.error,
        attempts: 3,
        deadAt: letter.deadAt,
        envelope: letter.envelope,
      },
    ]);
    // The audit pipeline is not affected by shipping's failures: it got both once.
    expect(
      received(app)
        .done('audit')
        .filter((r) => (r.envelope.payload as { orderId: string }).orderId.endsWith(profileName)),
    ).toHaveLength(2);
  });

  it('dead-letters an invalid payload at once, without retries', async () => {
    const app = await start({ catalogue: busCatalogue });
    const bus = app.app.get(EventBus);
    // Published straight on the bus, bypassing the REST validation: amount is a string.
    const envelope = await bus.publish(
      { name: 'order.placed' },
      { orderId: `bad-${profileName}`, amount: 'lots', extra: true },
      'test',
    );
    const letters = await eventually(async () => {
      const found = (await bus.listDeadLetters(50)).filter(
        (l) => typeof l.envelope === 'object' && l.envelope.id === envelope.id,
      );
      return found.length === 2 && found;
    });
    for (const letter of letters) {
      expect(letter.reason).toBe('invalid-payload');
      expect(letter.attempts).toBe(1);
      expect(letter.error).toContain('amount');
      expect(letter.error).toContain('property extra should not exist');
    }
    expect(letters.map((l) => l.pipeline).sort()).toEqual(['audit', 'shipping']);
    expect(received(app).all.filter((r) => r.envelope.id === envelope.id)).toHaveLength(0);
  });

  it('stops a publish loop at the hop limit and dead-letters the event that would exceed it', async () => {
    const app = await start({
      catalogue: busCatalogue,
      overrides: { bus: { maxHops: 4 }, pipelines: [echoPipeline.name] },
    });
    const bus = app.app.get(EventBus);
    const first = await bus.publish(echoPing, { ping: { text: `loop-${profileName}` } }, 'test');
    const letter = await eventually(async () =>
      (await bus.listDeadLetters(50)).find(
        (l) => typeof l.envelope === 'object' && l.envelope.correlationId === first.correlationId,
      ),
    );
    expect(letter).toMatchObject({ pipeline: 'echo', reason: 'non-retriable', attempts: 1 });
    expect(letter.error).toContain('bus.maxHops');
    const hops = received(app)
      .done('echo')
      .filter((r) => r.envelope.correlationId === first.correlationId)
      .map((r) => r.envelope.hops);
    expect(hops).toEqual([0, 1, 2, 3, 4]);
  });
});
