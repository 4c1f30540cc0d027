import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/index.js';
import { parcelCatalogue } from './fixtures/admin/parcels.js';
import { rows } from './support/app-data.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const DEAD_LETTERS = '/api/v1/admin/dead-letters';
const ORIGIN = 'http://console.example';

/**
 * Dead letters searched by reason and time, paged by cursor (the next page in a Link header,
 * readable by a browser under CORS), and replayed in bulk by filter.
 */
describe.each(profiles)('dead letters searched and replayed in bulk on the %s profile', (name) => {
  let profile: ProfileResources;
  let app: TestApp;
  let since: string;
  let ids: string[];

  beforeAll(async () => {
    profile = await prepareProfile(name);
    app = await startTestApp(profile, {
      catalogue: parcelCatalogue,
      overrides: { http: { cors: { origins: [ORIGIN] } } },
    });
    since = new Date(Date.now() - 1).toISOString();
    for (let n = 1; n <= 5; n++) {
      await app
        .as('integration')
        .post('/api/v1/test/parcels')
        .send({ parcelId: `search-${n}`, weight: n, fail: true })
        .expect(201);
      // One at a time, so that their order is the order they were sent in.
      await eventually(
        async () => (await app.app.get(EventBus).listDeadLetters(10)).length === n,
        10_000,
        `dead letter ${n}`,
      );
    }
    ids = (await app.app.get(EventBus).listDeadLetters(10)).map((l) => l.id);
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const parcels = (body: { envelope: { payload: { parcelId: string } } }[]) =>
    body.map((l) => l.envelope.payload.parcelId);

  it('pages by cursor, newest first, the next page in a Link header exposed to the browser', async () => {
    const first = await app
      .as('operator')
      .get(DEAD_LETTERS)
      .set('Origin', ORIGIN)
      .query({ pipeline: 'sorting', reason: 'non-retriable', from: since, limit: 2 })
      .expect(200);
    expect(parcels(first.body)).toEqual(['search-5', 'search-4']);
    expect(first.headers['access-control-expose-headers']).toContain('Link');
    const link = /^<([^>]+)>; rel="next"$/.exec(first.headers['link'] ?? '');
    expect(link, `Link: ${first.headers['link']}`).not.toBeNull();
    const next = new URL(link![1]!, 'http://app');
    expect(next.pathname).toBe(DEAD_LETTERS);
    // The last letter's id and event: two events' dead letters may share an id on Redis.
    expect(next.searchParams.get('cursor')).toBe(`${ids[1]}~parcel.received`);
    expect(next.searchParams.get('reason')).toBe('non-retriable');

    const second = await app.as('operator').get(`${next.pathname}${next.search}`).expect(200);
    expect(parcels(second.body)).toEqual(['search-3', 'search-2']);
    const third = new URL(/^<([^>]+)>/.exec(second.headers['link'])![1]!, 'http://app');
    const last = await app.as('operator').get(`${third.pathname}${third.search}`).expect(200);
    expect(parcels(last.body)).toEqual(['search-1']);
    expect(last.headers['link']).toBeUndefined();
  });

  it('filters by reason and time', async () => {
    const byReason = await app
      .as('operator')
      .get(DEAD_LETTERS)
      .query({ reason: 'max-deliveries' })
      .expect(200);
    expect(byReason.body).toEqual([]);
    const before = await app.as('operator').get(DEAD_LETTERS).query({ to: since }).expect(200);
    expect(before.body).toEqual([]);
    const after = await app.as('operator').get(DEAD_LETTERS).query({ from: since }).expect(200);
    expect(after.body).toHaveLength(5);
    await app.as('operator').get(DEAD_LETTERS).query({ reason: 'tired' }).expect(400);
    await app.as('operator').get(DEAD_LETTERS).query({ cursor: '../etc' }).expect(400);
    // Cursors at the ends of the id space: nothing older than the first, all older than the last.
    const none = await app.as('operator').get(DEAD_LETTERS).query({ cursor: '0-0' }).expect(200);
    expect(none.body).toEqual([]);
    const all = await app
      .as('operator')
      .get(DEAD_LETTERS)
      .query({ cursor: '99999999999999999999-99999999999999999999', from: since })
      .expect(200);
    expect(all.body).toHaveLength(5);
  });

  it('replays a filtered set in bulk: admin only, audited', async () => {
    const filter = { pipeline: 'sorting', from: since };
    await app.as('operator').post(`${DEAD_LETTERS}/bulk/replay`).send({ filter }).expect(403);
    const result = await app.http.post(`${DEAD_LETTERS}/bulk/replay`).send({ filter }).expect(200);
    expect(result.body).toEqual({ replayed: 5, skipped: 0, more: false });
    // Delivered again, the handler refuses them again: five new dead letters, none of the old.
    const again = await eventually(
      async () => {
        const letters = await app.app.get(EventBus).listDeadLetters(20);
        return letters.length === 5 && letters;
      },
      10_000,
      'the replayed parcels dead again',
    );
    expect(again.map((l) => l.id).filter((id) => ids.includes(id))).toEqual([]);
    expect(again.every((l) => l.attempts === 1)).toBe(true);
    const audit = await rows<{ action: string; details: string }>(app.app, 'admin_audit');
    expect(audit.filter((r) => r.action === 'dead-letter.bulk-replay')).toHaveLength(1);
  });
});
