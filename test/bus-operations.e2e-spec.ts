import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterNotFoundError } from '../src/platform/event-bus/errors/dead-letter-not-found.error.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { busCatalogue } from './fixtures/bus/pipelines.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const orderIdOf = (payload: unknown) => (payload as { orderId: string }).orderId;

describe.each(profiles)('operating the event bus on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let bus: EventBus;
  let received: ReceivedEvents;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: busCatalogue,
      overrides: { pipelines: ['orders', 'audit', 'shipping'] },
    });
    bus = app.app.get(EventBus);
    received = app.app.get(ReceivedEvents);
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const doneFor = (pipeline: string, orderId: string) =>
    received
      .done(pipeline, 'order.placed')
      .filter((r) => orderIdOf(r.envelope.payload) === orderId);

  it('replays a dead letter, with an edited payload, to the one pipeline that failed it', async () => {
    const orderId = `replay-${profileName}`;
    await app.http
      .post('/api/v1/test/orders')
      .send({ orderId, amount: 7, failTimes: 99 })
      .expect(201);
    const letter = await eventually(async () =>
      (await bus.listDeadLetters(20)).find(
        (l) => typeof l.envelope === 'object' && orderIdOf(l.envelope.payload) === orderId,
      ),
    );
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
    expect((await bus.listDeadLetters(20)).some((l) => l.id === letter.id)).toBe(false);
    // A replay is the failed pipeline's business only: audit does not see the event again.
    await new Promise((r) => setTimeout(r, 300));
    expect(doneFor('audit', orderId)).toHaveLength(1);
    // Once replayed, it is gone: a second replay finds nothing to replay.
    await expect(bus.replayDeadLetter(letter.id)).rejects.toBeInstanceOf(DeadLetterNotFoundError);
  });

  it('deletes a dead letter for good', async () => {
    const orderId = `delete-${profileName}`;
    await app.http
      .post('/api/v1/test/orders')
      .send({ orderId, amount: 7, failTimes: 99 })
      .expect(201);
    const letter = await eventually(async () =>
      (await bus.listDeadLetters(20)).find(
        (l) => typeof l.envelope === 'object' && orderIdOf(l.envelope.payload) === orderId,
      ),
    );
    expect(await bus.deleteDeadLetter(letter.id)).toBe(true);
    expect(await bus.deleteDeadLetter(letter.id)).toBe(false);
    expect((await bus.listDeadLetters(50)).some((l) => l.id === letter.id)).toBe(false);
  });

  it('pauses a pipeline while the others go on, and resumes it where it stopped', async () => {
    const orderId = `pause-${profileName}`;
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
    expect(described.length).toBeGreaterThanOrEqual(1);
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
  });
});
