import { afterAll, beforeAll, describe, expect } from 'vitest';
import { BusObservers } from '../../src/platform/event-bus/bus-observers.js';
import type { DeadLetter } from '../../src/platform/event-bus/delivery/dead-letter.js';
import { DeadLetterNotFoundError } from '../../src/platform/event-bus/errors/dead-letter-not-found.error.js';
import { EventBus } from '../../src/platform/event-bus/event-bus.js';
import { echoPing } from '../fixtures/bus/order-events.js';
import { busCatalogue } from '../fixtures/bus/pipelines.js';
import { ReceivedEvents } from '../fixtures/bus/received-events.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { type Backend, backends, itWith, startBackend } from './backends.js';

/**
 * What a trigger's delivery means, the same on every backend: fan-out, a late subscriber,
 * redelivery then dead letter, an invalid payload dead at once, the hop limit, replay to the
 * one pipeline that failed, deletion, pause/resume and the backlog it leaves. One app per
 * backend for the file (the bus fixture pipelines); a late subscriber gets apps of its own.
 */
const orderIdOf = (payload: unknown) => (payload as { orderId: string }).orderId;

describe.each(backends)('bus delivery on the %s backend', (backendName) => {
  let backend: Backend;
  let app: TestApp;
  let bus: EventBus;
  let received: ReceivedEvents;
  const noticed: Omit<DeadLetter, 'id'>[] = [];

  beforeAll(async () => {
    backend = await startBackend(backendName);
    app = await startTestApp(backend.profile, {
      catalogue: busCatalogue,
      env: backend.env,
      // Low enough for the echo loop to reach it; the other flows use one hop.
      overrides: { bus: { maxHops: 4 } },
    });
    bus = app.app.get(EventBus);
    received = app.app.get(ReceivedEvents);
    app.app.get(BusObservers).add({ deadLettered: (letter) => noticed.push(letter) });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await backend?.stop();
  });

  const doneFor = (pipeline: string, orderId: string, event = 'order.placed') =>
    received.done(pipeline, event).filter((r) => orderIdOf(r.envelope.payload) === orderId);
  const letterOf = async (orderId: string) =>
    eventually(async () =>
      (await bus.listDeadLetters(50)).find(
        (l) => typeof l.envelope === 'object' && orderIdOf(l.envelope.payload) === orderId,
      ),
    );

  itWith(
    backendName,
    [],
    'fans an event out to every subscribed pipeline and carries the flow across them',
    async () => {
      const orderId = `fan-${backendName}`;
      const response = await app.http
        .post('/api/v1/test/orders')
        .set('X-Correlation-Id', `corr-${orderId}`)
        .send({ orderId, amount: 120 })
        .expect(201);
      expect(response.headers['x-correlation-id']).toBe(`corr-${orderId}`);

      const [audit] = await eventually(
        () => doneFor('audit', orderId).length && doneFor('audit', orderId),
      );
      const [shipping] = await eventually(
        () => doneFor('shipping', orderId).length && doneFor('shipping', orderId),
      );
      // The audit pipeline's own event reaches shipping one hop later, in the same flow.
      const [audited] = await eventually(
        () =>
          doneFor('shipping', orderId, 'order.audited').length &&
          doneFor('shipping', orderId, 'order.audited'),
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
      expect(doneFor('audit', orderId)).toHaveLength(1);
      expect(doneFor('shipping', orderId)).toHaveLength(1);
    },
  );

  itWith(
    backendName,
    ['durable'],
    'delivers an event published while no process ran its subscriber once one starts',
    async () => {
      // Apps of their own under another key prefix: the file's app would take the event.
      const overrides = { bus: { keyPrefix: `${backend.keyPrefix}-late` } };
      const orderId = `late-${backendName}`;
      const publisher = await startTestApp(backend.profile, {
        catalogue: busCatalogue,
        env: backend.env,
        overrides: { ...overrides, pipelines: ['orders'] },
      });
      try {
        await publisher.http.post('/api/v1/test/orders').send({ orderId, amount: 5 }).expect(201);
      } finally {
        await publisher.close();
      }
      const subscriber = await startTestApp(backend.profile, {
        catalogue: busCatalogue,
        env: backend.env,
        overrides: { ...overrides, pipelines: ['audit'] },
      });
      try {
        await eventually(
          () =>
            subscriber.app
              .get(ReceivedEvents)
              .done('audit')
              .some((r) => orderIdOf(r.envelope.payload) === orderId),
          10_000,
          'the late subscriber to receive the event',
        );
      } finally {
        await subscriber.close();
      }
    },
  );

  itWith(
    backendName,
    [],
    'delivers an event published before its subscriber listens once it does',
    async () => {
      const orderId = `early-${backendName}`;
      // Another key prefix, as above; in process, the bus lives as long as this app.
      const late = await startTestApp(backend.profile, {
        catalogue: busCatalogue,
        env: backend.env,
        overrides: {
          bus: { keyPrefix: `${backend.keyPrefix}-early` },
          pipelines: ['orders', 'audit'],
        },
        listen: false,
      });
      try {
        await late.http.post('/api/v1/test/orders').send({ orderId, amount: 5 }).expect(201);
        expect(late.app.get(ReceivedEvents).all).toHaveLength(0);
        await late.app.startAllMicroservices();
        await eventually(
          () =>
            late.app
              .get(ReceivedEvents)
              .done('audit')
              .some((r) => orderIdOf(r.envelope.payload) === orderId),
          10_000,
          'the subscriber to receive the event once it listens',
        );
      } finally {
        await late.close();
      }
    },
  );

  itWith(
    backendName,
    [],
    'redelivers an event whose handler throws, then dead-letters it after the trigger limit',
    async () => {
      const retried = `retry-${backendName}`;
      const dead = `dead-${backendName}`;
      // Fails twice, succeeds on the third (and last allowed) delivery.
      await app.http
        .post('/api/v1/test/orders')
        .send({ orderId: retried, amount: 1, failTimes: 2 })
        .expect(201);
      // Fails on every delivery: dead after maxDeliveries = 3.
      await app.http
        .post('/api/v1/test/orders')
        .send({ orderId: dead, amount: 1, failTimes: 99 })
        .expect(201);
      const attemptsOf = (orderId: string) =>
        received.all
          .filter(
            (r) =>
              r.pipeline === 'shipping' &&
              r.state === 'started' &&
              orderIdOf(r.envelope.payload) === orderId,
          )
          .map((r) => r.attempt);
      await eventually(() => doneFor('shipping', retried).length > 0);
      expect(attemptsOf(retried)).toEqual([1, 2, 3]);

      const letter = await letterOf(dead);
      expect(letter).toMatchObject({
        event: 'order.placed',
        pipeline: 'shipping',
        reason: 'max-deliveries',
        attempts: 3,
      });
      expect(letter.error).toContain(`shipping refused order ${dead} on attempt 3`);
      expect(attemptsOf(dead)).toEqual([1, 2, 3]);
      // Observers hear of it once, with the letter as written, after it was written.
      expect(
        noticed.filter(
          (l) => typeof l.envelope === 'object' && orderIdOf(l.envelope.payload) === dead,
        ),
      ).toEqual([
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
      expect(doneFor('audit', retried)).toHaveLength(1);
      expect(doneFor('audit', dead)).toHaveLength(1);
    },
  );

  itWith(backendName, [], 'dead-letters an invalid payload at once, without retries', async () => {
    // Published straight on the bus, bypassing the REST validation: amount is a string.
    const envelope = await bus.publish(
      { name: 'order.placed' },
      { orderId: `bad-${backendName}`, amount: 'lots', extra: true },
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
    expect(received.all.filter((r) => r.envelope.id === envelope.id)).toHaveLength(0);
  });

  itWith(
    backendName,
    [],
    'stops a publish loop at the hop limit and dead-letters the event that would exceed it',
    async () => {
      const first = await bus.publish(echoPing, { ping: { text: `loop-${backendName}` } }, 'test');
      const letter = await eventually(async () =>
        (await bus.listDeadLetters(50)).find(
          (l) => typeof l.envelope === 'object' && l.envelope.correlationId === first.correlationId,
        ),
      );
      expect(letter).toMatchObject({ pipeline: 'echo', reason: 'non-retriable', attempts: 1 });
      expect(letter.error).toContain('bus.maxHops');
      const hops = received
        .done('echo')
        .filter((r) => r.envelope.correlationId === first.correlationId)
        .map((r) => r.envelope.hops);
      expect(hops).toEqual([0, 1, 2, 3, 4]);
    },
  );

  itWith(
    backendName,
    [],
    'replays a dead letter, with an edited payload, to the one pipeline that failed it',
    async () => {
      const orderId = `replay-${backendName}`;
      await app.http
        .post('/api/v1/test/orders')
        .send({ orderId, amount: 7, failTimes: 99 })
        .expect(201);
      const letter = await letterOf(orderId);
      expect(letter.pipeline).toBe('shipping');
      expect(doneFor('audit', orderId)).toHaveLength(1);

      const replayed = await bus.replayDeadLetter(letter.id, {
        payload: { orderId, amount: 7, failTimes: 0 },
      });
      expect(replayed.id).toBe(letter.id);
      const [shipped] = await eventually(
        () => doneFor('shipping', orderId).length > 0 && doneFor('shipping', orderId),
      );
      expect(shipped!.attempt).toBe(1);
      expect(shipped!.envelope.id).toBe(
        typeof letter.envelope === 'object' ? letter.envelope.id : '',
      );
      expect(shipped!.envelope.payload).toMatchObject({ failTimes: 0 });
      expect((await bus.listDeadLetters(50)).some((l) => l.id === letter.id)).toBe(false);
      // A replay is the failed pipeline's business only: audit does not see the event again.
      await new Promise((r) => setTimeout(r, 300));
      expect(doneFor('audit', orderId)).toHaveLength(1);
      // Once replayed, it is gone: a second replay finds nothing to replay.
      await expect(bus.replayDeadLetter(letter.id)).rejects.toBeInstanceOf(DeadLetterNotFoundError);
    },
  );

  itWith(backendName, [], 'deletes a dead letter for good', async () => {
    const orderId = `delete-${backendName}`;
    await app.http
      .post('/api/v1/test/orders')
      .send({ orderId, amount: 7, failTimes: 99 })
      .expect(201);
    const letter = await letterOf(orderId);
    expect(await bus.deleteDeadLetter(letter.id)).toBe(true);
    expect(await bus.deleteDeadLetter(letter.id)).toBe(false);
    expect((await bus.listDeadLetters(50)).some((l) => l.id === letter.id)).toBe(false);
  });

  itWith(
    backendName,
    [],
    'pauses a pipeline while the others go on, leaves a backlog, and resumes it where it stopped',
    async () => {
      const orderId = `pause-${backendName}`;
      await bus.pausePipeline('audit');
      expect(await bus.pausedPipelines()).toEqual(['audit']);
      // Redis consumers re-read the paused set every second.
      await new Promise((r) => setTimeout(r, 1200));

      await app.http.post('/api/v1/test/orders').send({ orderId, amount: 3 }).expect(201);
      await eventually(() => doneFor('shipping', orderId).length === 1);
      const described = await eventually(async () => {
        const stream = (await bus.describeStreams()).find((s) => s.event === 'order.placed');
        const audit = stream?.groups.find((g) => g.pipeline === 'audit');
        return audit && (audit.lag ?? 0) + audit.pending >= 1 && stream;
      });
      expect(described.groups.map((g) => g.pipeline).sort()).toEqual(['audit', 'shipping']);
      expect(await bus.backlog({ name: 'order.placed' })).toBeGreaterThanOrEqual(1);
      expect(doneFor('audit', orderId)).toHaveLength(0);

      await bus.resumePipeline('audit');
      expect(await bus.pausedPipelines()).toEqual([]);
      await eventually(() => doneFor('audit', orderId).length === 1, 10_000, 'audit to resume');
      const after = await eventually(async () => {
        const audit = (await bus.describeStreams())
          .find((s) => s.event === 'order.placed')
          ?.groups.find((g) => g.pipeline === 'audit');
        return audit && audit.lag === 0 && audit.pending === 0 && audit;
      });
      expect(after.consumers.length).toBeGreaterThanOrEqual(1);
      expect(await bus.backlog({ name: 'order.placed' })).toBe(0);
    },
  );
});
