import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import { parcelCatalogue, SortedParcels } from './fixtures/admin/parcels.js';
import { rows, seedError } from './support/app-data.js';
import { startItsmPeer, type ItsmPeer } from './support/itsm-peer.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { registeredRoutes } from './support/routes.js';
import { eventually, startTestApp, type TestApp, testToken } from './support/test-app.js';

const ADMIN = '/api/v1/admin';

interface AuditRow {
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  outcome: string;
  status_code: number;
  details: string | null;
}

describe.each(profiles)('admin API on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let itsm: ItsmPeer;
  let bus: EventBus;
  let sorted: SortedParcels;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    itsm = await startItsmPeer();
    app = await startTestApp(profile, {
      catalogue: parcelCatalogue,
      overrides: { notifiers: { itsm: { url: itsm.url } } },
    });
    bus = app.app.get(EventBus);
    sorted = app.app.get(SortedParcels);
  });
  afterAll(async () => {
    await app?.close();
    await itsm?.close();
    await profile?.dispose();
  });

  const sortedIds = () => sorted.all.map((e) => e.payload.parcelId);
  const deadLetterOf = async (parcelId: string) =>
    eventually(
      async () =>
        (await bus.listDeadLetters(100)).find(
          (l) =>
            typeof l.envelope === 'object' &&
            (l.envelope.payload as { parcelId: string }).parcelId === parcelId,
        ),
      10_000,
      `the dead letter of ${parcelId}`,
    );
  const audit = () => rows<AuditRow>(app.app, 'admin_audit');

  describe('authorization matrix', () => {
    interface Route {
      method: 'get' | 'post' | 'patch' | 'delete';
      pattern: string;
      path: () => string;
      /** The least role that may call it: integration, any authenticated caller. */
      role: 'integration' | 'operator' | 'admin';
      body?: object;
    }
    let errorId: string;
    let entryId: string;
    const routes: Route[] = [
      { method: 'get', pattern: '/me', path: () => '/me', role: 'integration' },
      { method: 'get', pattern: '/pipelines', path: () => '/pipelines', role: 'operator' },
      {
        method: 'get',
        pattern: '/pipelines/:name',
        path: () => '/pipelines/sorting',
        role: 'operator',
      },
      {
        method: 'post',
        pattern: '/pipelines/:name/pause',
        path: () => '/pipelines/no-such-pipeline/pause',
        role: 'admin',
      },
      {
        method: 'post',
        pattern: '/pipelines/:name/resume',
        path: () => '/pipelines/sorting/resume',
        role: 'admin',
      },
      { method: 'get', pattern: '/topology', path: () => '/topology', role: 'operator' },
      {
        method: 'get',
        pattern: '/topology/mermaid',
        path: () => '/topology/mermaid',
        role: 'operator',
      },
      { method: 'get', pattern: '/events', path: () => '/events', role: 'operator' },
      {
        method: 'post',
        pattern: '/events/:name/publish',
        path: () => '/events/parcel.received/publish',
        role: 'admin',
        body: { payload: { parcelId: 'matrix', weight: 1 } },
      },
      { method: 'get', pattern: '/dead-letters', path: () => '/dead-letters', role: 'operator' },
      {
        method: 'post',
        pattern: '/dead-letters/:id/replay',
        path: () => '/dead-letters/987654321/replay',
        role: 'operator',
        body: {},
      },
      {
        method: 'delete',
        pattern: '/dead-letters/:id',
        path: () => '/dead-letters/987654321',
        role: 'admin',
      },
      { method: 'get', pattern: '/errors', path: () => '/errors', role: 'operator' },
      { method: 'get', pattern: '/errors/:id', path: () => `/errors/${errorId}`, role: 'operator' },
      {
        method: 'patch',
        pattern: '/errors/:id',
        path: () => `/errors/${errorId}`,
        role: 'admin',
        body: { note: 'checked' },
      },
      {
        method: 'post',
        pattern: '/errors/:id/itsm',
        path: () => `/errors/${errorId}/itsm`,
        role: 'operator',
        body: {},
      },
      { method: 'get', pattern: '/audit', path: () => '/audit', role: 'admin' },
      { method: 'get', pattern: '/object-store', path: () => '/object-store', role: 'operator' },
      {
        method: 'get',
        pattern: '/object-store/:id',
        path: () => `/object-store/${entryId}`,
        role: 'operator',
      },
      {
        method: 'post',
        pattern: '/object-store/:id/reprocess',
        path: () => `/object-store/${entryId}/reprocess`,
        role: 'operator',
        body: {},
      },
      {
        method: 'post',
        pattern: '/object-store/:id/discard',
        path: () => '/object-store/00000000-0000-4000-8000-000000000000/discard',
        role: 'admin',
      },
      {
        method: 'post',
        pattern: '/object-store/bulk/reprocess',
        path: () => '/object-store/bulk/reprocess',
        role: 'operator',
        body: { filter: { store: 'matrix' } },
      },
      {
        method: 'post',
        pattern: '/object-store/bulk/discard',
        path: () => '/object-store/bulk/discard',
        role: 'admin',
        body: { filter: { store: 'nothing-here' } },
      },
      {
        method: 'post',
        pattern: '/dead-letters/bulk/replay',
        path: () => '/dead-letters/bulk/replay',
        role: 'admin',
        body: { filter: { pipeline: 'nothing-here' } },
      },
      { method: 'get', pattern: '/reprocessing', path: () => '/reprocessing', role: 'operator' },
      {
        method: 'post',
        pattern: '/reprocessing/run',
        path: () => '/reprocessing/run',
        role: 'operator',
        body: {},
      },
    ];

    beforeAll(async () => {
      errorId = (await seedError(app.app, { pipeline: 'sorting', code: 'matrix-check' })).id;
      const store = app.app.get(ObjectStore);
      await store.put('matrix', [
        {
          key: 'k-1',
          payload: { n: 1 },
          error: { code: 'boom', message: 'boom', retriable: true },
          nextAttemptAt: new Date(Date.now() + 3_600_000),
        },
      ]);
      entryId = (await store.get('matrix', 'k-1'))!.id;
    });

    it('covers every admin route the app registered', () => {
      const registered = registeredRoutes(app.app)
        .filter((r) => r.path.startsWith(ADMIN))
        .map((r) => `${r.method} ${r.path.slice(ADMIN.length)}`)
        .sort();
      expect(registered).toEqual(
        routes.map((r) => `${r.method.toUpperCase()} ${r.pattern}`).sort(),
      );
    });

    it('refuses no credentials, expired and forged tokens, and the wrong role; serves the right role', async () => {
      const expired = await testToken(['admin'], {
        expiresIn: Math.floor(Date.now() / 1000) - 120,
      });
      const forged = await testToken(['admin'], {
        secret: 'a-secret-this-application-has-never-seen-0123',
      });
      for (const route of routes) {
        const call = (agent: TestApp['http']) => {
          const request = agent[route.method](`${ADMIN}${route.path()}`);
          return route.body ? request.send(route.body) : request;
        };
        const label = `${route.method.toUpperCase()} ${route.pattern}`;
        expect((await call(app.anonymous)).status, `${label} without credentials`).toBe(401);
        expect(
          (await call(app.anonymous).set('Authorization', `Bearer ${expired}`)).status,
          `${label} expired`,
        ).toBe(401);
        expect(
          (await call(app.anonymous).set('Authorization', `Bearer ${forged}`)).status,
          `${label} forged`,
        ).toBe(401);
        if (route.role !== 'integration')
          expect((await call(app.as('integration'))).status, `${label} as integration`).toBe(403);
        if (route.role === 'admin')
          expect((await call(app.as('operator'))).status, `${label} as operator`).toBe(403);
        const allowed = await call(app.as(route.role));
        expect([401, 403], `${label} as ${route.role}`).not.toContain(allowed.status);
        expect(allowed.status, `${label} as ${route.role}: ${allowed.text}`).toBeLessThan(500);
      }
    });
  });

  it('replays a dead-lettered event with an edited payload: it reaches its handler, and the audit trail says who', async () => {
    const parcelId = `dead-${profileName}`;
    await app
      .as('integration')
      .post('/api/v1/test/parcels')
      .send({ parcelId, weight: 5, fail: true })
      .expect(201);
    const letter = await deadLetterOf(parcelId);

    const listed = await app
      .as('operator')
      .get(`${ADMIN}/dead-letters`)
      .query({ pipeline: 'sorting', event: 'parcel.received' })
      .expect(200);
    const shown = listed.body.find((l: { id: string }) => l.id === letter.id);
    expect(shown).toMatchObject({
      pipeline: 'sorting',
      reason: 'non-retriable',
      event: 'parcel.received',
    });
    expect(shown.error).toContain(`parcel ${parcelId} cannot be sorted`);

    const replayed = await app
      .as('operator')
      .post(`${ADMIN}/dead-letters/${letter.id}/replay`)
      .send({ payload: { parcelId, weight: 6 } })
      .expect(200);
    expect(replayed.body.id).toBe(letter.id);
    const [handled] = await eventually(
      () =>
        sorted.all.filter((e) => e.payload.parcelId === parcelId).length > 0 &&
        sorted.all.filter((e) => e.payload.parcelId === parcelId),
    );
    expect(handled!.payload).toEqual({ parcelId, weight: 6 });
    expect(
      (await app.http.get(`${ADMIN}/dead-letters`).expect(200)).body.some(
        (l: { id: string }) => l.id === letter.id,
      ),
    ).toBe(false);

    const row = (await audit()).find(
      (r) => r.action === 'dead-letter.replay' && r.target_id === letter.id,
    );
    expect(row).toMatchObject({
      actor: 'tester-operator',
      target_type: 'dead-letter',
      outcome: 'succeeded',
      status_code: 200,
    });
    expect(JSON.parse(row!.details!)).toEqual({ payload: { parcelId, weight: 6 } });

    // Gone now: a second replay is a 404, recorded as failed.
    const again = await app
      .as('operator')
      .post(`${ADMIN}/dead-letters/${letter.id}/replay`)
      .send({})
      .expect(404);
    expect(again.body.code).toBe('dead-letter-not-found');
    expect(
      (await audit())
        .filter((r) => r.action === 'dead-letter.replay' && r.target_id === letter.id)
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['failed', 'succeeded']);
  });

  it('deletes a dead letter for good', async () => {
    const parcelId = `delete-${profileName}`;
    await app.http
      .post('/api/v1/test/parcels')
      .send({ parcelId, weight: 1, fail: true })
      .expect(201);
    const letter = await deadLetterOf(parcelId);
    await app.http.delete(`${ADMIN}/dead-letters/${letter.id}`).expect(204);
    expect((await bus.listDeadLetters(100)).some((l) => l.id === letter.id)).toBe(false);
    await app.http.delete(`${ADMIN}/dead-letters/${letter.id}`).expect(404);
    expect(
      (await audit()).some(
        (r) =>
          r.action === 'dead-letter.delete' &&
          r.target_id === letter.id &&
          r.outcome === 'succeeded',
      ),
    ).toBe(true);
  });

  it('shows pipelines with their triggers, publishers, subscriptions and live instances, and the topology', async () => {
    await app.http
      .post('/api/v1/test/parcels')
      .send({ parcelId: `seen-${profileName}`, weight: 1 })
      .expect(201);
    await eventually(() => sortedIds().includes(`seen-${profileName}`));
    const { body: pipelines } = await app.as('operator').get(`${ADMIN}/pipelines`).expect(200);
    const parcels = pipelines.find((p: { name: string }) => p.name === 'parcels');
    const sorting = pipelines.find((p: { name: string }) => p.name === 'sorting');
    expect(parcels).toMatchObject({
      role: 'business-rule',
      runsHere: true,
      publishes: ['parcel.received'],
      triggers: [],
    });
    expect(sorting).toMatchObject({
      role: 'subscriber',
      paused: false,
      triggers: [
        // Declared (maxDeliveries), else the bus default the transports use (concurrency).
        {
          event: 'parcel.received',
          handler: 'SortingTrigger.onParcel',
          maxDeliveries: 2,
          concurrency: app.config.bus.concurrency,
        },
      ],
    });
    expect(sorting.subscriptions).toEqual([
      expect.objectContaining({ event: 'parcel.received', pending: expect.any(Number) }),
    ]);
    expect(sorting.liveInstances).toBeGreaterThanOrEqual(1);

    const { body: events } = await app.as('operator').get(`${ADMIN}/events`).expect(200);
    const received = events.find((e: { name: string }) => e.name === 'parcel.received');
    expect(received).toMatchObject({ publishers: ['parcels'], subscribers: ['sorting'] });
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.groups.map((g: { pipeline: string }) => g.pipeline)).toEqual(['sorting']);

    const { body: topology } = await app.as('operator').get(`${ADMIN}/topology`).expect(200);
    expect(topology.events).toContainEqual({
      name: 'parcel.received',
      publishers: ['parcels'],
      subscribers: ['sorting'],
    });
    const mermaid = await app.as('operator').get(`${ADMIN}/topology/mermaid`).expect(200);
    expect(mermaid.headers['content-type']).toContain('text/plain');
    expect(mermaid.text).toMatch(/^flowchart LR\n/);
    expect(mermaid.text).toContain('p_parcels --> e_parcel_received');
    expect(mermaid.text).toContain('e_parcel_received --> p_sorting');
    await app.http.get(`${ADMIN}/pipelines/nope`).expect(404);
  });

  it('pauses a pipeline (events wait) and resumes it (they arrive)', async () => {
    await app.http
      .post(`${ADMIN}/pipelines/sorting/pause`)
      .expect(200, { pipeline: 'sorting', paused: true });
    expect((await app.http.get(`${ADMIN}/pipelines/sorting`).expect(200)).body.paused).toBe(true);
    // Redis consumers re-read the paused set every second.
    await new Promise((r) => setTimeout(r, 1200));
    const parcelId = `paused-${profileName}`;
    await app.http.post('/api/v1/test/parcels').send({ parcelId, weight: 2 }).expect(201);
    // The operator sees the parcel waiting for the paused pipeline.
    await eventually(async () => {
      const { body } = await app.as('operator').get(`${ADMIN}/pipelines/sorting`).expect(200);
      const subscription = body.subscriptions.find(
        (s: { event: string }) => s.event === 'parcel.received',
      );
      return (subscription?.lag ?? 0) + (subscription?.pending ?? 0) >= 1;
    });
    expect(sortedIds()).not.toContain(parcelId);
    await app.http
      .post(`${ADMIN}/pipelines/sorting/resume`)
      .expect(200, { pipeline: 'sorting', paused: false });
    await eventually(
      () => sortedIds().includes(parcelId),
      10_000,
      'the parcel published while paused',
    );
    const actions = (await audit())
      .filter((r) => r.target_type === 'pipeline' && r.target_id === 'sorting')
      .map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['pipeline.pause', 'pipeline.resume']));
  });

  it('publishes a test event checked against its contract', async () => {
    const parcelId = `test-event-${profileName}`;
    const published = await app.http
      .post(`${ADMIN}/events/parcel.received/publish`)
      .send({ payload: { parcelId, weight: 9 } })
      .expect(201);
    const envelope = await eventually(() =>
      sorted.all.find((e) => e.payload.parcelId === parcelId),
    );
    expect(envelope).toMatchObject({ id: published.body.eventId, source: 'admin' });

    const invalid = await app.http
      .post(`${ADMIN}/events/parcel.received/publish`)
      .send({ payload: { parcelId: 'x', weight: 'heavy', extra: 1 } })
      .expect(400);
    expect([...new Set(invalid.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(
      ['payload.extra', 'payload.weight'],
    );
    await app.http.post(`${ADMIN}/events/unknown.event/publish`).send({ payload: {} }).expect(404);
  });

  it('lists errors with filters and pages, shows one, resolves and annotates it', async () => {
    const a = await seedError(app.app, {
      pipeline: 'billing',
      code: 'card-declined',
      occurredAt: '2026-01-10T10:00:00.000Z',
    });
    const b = await seedError(app.app, {
      pipeline: 'billing',
      code: 'card-declined',
      occurredAt: '2026-01-11T10:00:00.000Z',
    });
    await seedError(app.app, {
      pipeline: 'billing',
      code: 'timeout',
      occurredAt: '2026-01-12T10:00:00.000Z',
    });
    const page1 = await app
      .as('operator')
      .get(`${ADMIN}/errors`)
      .query({ pipeline: 'billing', code: 'card-declined', limit: 1 })
      .expect(200);
    expect(page1.body).toMatchObject({ total: 2, offset: 0, limit: 1 });
    expect(page1.body.items.map((e: { id: string }) => e.id)).toEqual([b.id]);
    const page2 = await app
      .as('operator')
      .get(`${ADMIN}/errors`)
      .query({ pipeline: 'billing', code: 'card-declined', limit: 1, offset: 1 })
      .expect(200);
    expect(page2.body.items.map((e: { id: string }) => e.id)).toEqual([a.id]);
    const ranged = await app
      .as('operator')
      .get(`${ADMIN}/errors`)
      .query({ pipeline: 'billing', from: '2026-01-11T00:00:00Z', to: '2026-01-11T23:59:59Z' })
      .expect(200);
    expect(ranged.body.items.map((e: { id: string }) => e.id)).toEqual([b.id]);

    const detail = await app.as('operator').get(`${ADMIN}/errors/${a.id}`).expect(200);
    expect(detail.body).toMatchObject({
      id: a.id,
      pipeline: 'billing',
      code: 'card-declined',
      status: 'open',
      occurredAt: '2026-01-10T10:00:00.000Z',
    });

    const resolved = await app.http
      .patch(`${ADMIN}/errors/${a.id}`)
      .send({ status: 'resolved', note: 'customer paid by transfer' })
      .expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', note: 'customer paid by transfer' });
    const open = await app
      .as('operator')
      .get(`${ADMIN}/errors`)
      .query({ pipeline: 'billing', status: 'open' })
      .expect(200);
    expect(open.body.items.map((e: { id: string }) => e.id)).not.toContain(a.id);
    await app.http.patch(`${ADMIN}/errors/${a.id}`).send({}).expect(400);
    await app.http.get(`${ADMIN}/errors/00000000-0000-4000-8000-000000000000`).expect(404);
    expect(
      (await audit()).some(
        (r) => r.action === 'error.update' && r.target_id === a.id && r.outcome === 'succeeded',
      ),
    ).toBe(true);
  });

  it('sends an error to ITSM again and notes the ticket; a refusing ITSM is a 502 that names it', async () => {
    const record = await seedError(app.app, {
      pipeline: 'billing',
      code: 'ledger-down',
      message: 'ledger refused the posting',
    });
    itsm.reset();
    const sent = await app
      .as('operator')
      .post(`${ADMIN}/errors/${record.id}/itsm`)
      .send({ severity: 'high' })
      .expect(200);
    expect(sent.body.ticketId).toMatch(/^INC/);
    expect(sent.body.error).toMatchObject({
      status: 'alerted',
      notifications: { itsm: { ticketId: sent.body.ticketId, by: 'tester-operator' } },
    });
    expect(itsm.received).toHaveLength(1);
    expect(itsm.received[0]!.body).toMatchObject({
      short_description: '[billing] ledger-down: ledger refused the posting',
      correlation_id: record.correlationId,
    });

    itsm.reply({ status: 503, body: { error: 'maintenance' } });
    const refused = await app
      .as('operator')
      .post(`${ADMIN}/errors/${record.id}/itsm`)
      .send({})
      .expect(502);
    expect(refused.body.code).toMatch(/^itsm-/);
    itsm.reset();
    const rowsFor = (await audit()).filter(
      (r) => r.action === 'error.itsm-resend' && r.target_id === record.id,
    );
    expect(rowsFor.map((r) => `${r.outcome}:${r.status_code}`).sort()).toEqual([
      'failed:502',
      'succeeded:200',
    ]);
  });

  it('lists the audit trail, newest first, filtered', async () => {
    const { body } = await app.http
      .get(`${ADMIN}/audit`)
      .query({ action: 'pipeline.pause', limit: 5 })
      .expect(200);
    expect(body.total).toBeGreaterThanOrEqual(1);
    for (const item of body.items)
      expect(item).toMatchObject({
        action: 'pipeline.pause',
        targetType: 'pipeline',
        roles: expect.any(Array),
      });
    const all = (await app.http.get(`${ADMIN}/audit`).query({ limit: 500 }).expect(200)).body
      .items as { occurredAt: string }[];
    const times = all.map((i) => i.occurredAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
