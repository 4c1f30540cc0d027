import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import { integrations } from '../src/integrations/index.js';
import { parcelCatalogue, SortedParcels } from './fixtures/admin/parcels.js';
import { rows, seedError } from './support/app-data.js';
import { hostileRequests, type OpenApiDocument } from './support/hostile-requests.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { rawRequest } from './support/raw-request.js';
import { eventually, startTestApp, type TestApp, testToken } from './support/test-app.js';

const ADMIN = '/api/v1/admin';
const INJECTIONS = [
  "' OR 1=1 --",
  '1; DROP TABLE admin_audit',
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '${7*7}',
  '%00',
  'a'.repeat(300),
];
const TRAVERSALS = [
  '..%2F..%2Fetc%2Fpasswd',
  '..%5C..%5Cwindows',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc',
];
const BIG = 'x'.repeat(200 * 1024);
const STACK_OR_SQL =
  /at .*\.(ts|js):\d+|SELECT |INSERT |UPDATE |DELETE FROM|QueryFailedError|SQLITE_|ER_[A-Z]/;
/** The routes' pipelines, and the admin fixture's for a dead letter to replay. */
const PIPELINES = ['purchases', 'extract', 'parcels', 'sorting'];

describe.each(profiles)('hostile input to the admin API on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let errorId: string;
  let letterId: string;
  let entryId: string;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: [...integrations, ...parcelCatalogue],
      overrides: {
        pipelines: PIPELINES,
        // The outbox would republish accepted purchases a minute on, in the middle of the run.
        purchaseFlow: { outbox: { graceMs: 3_600_000 } },
      },
    });
    await app.app.listen(0, '127.0.0.1');
    errorId = (await seedError(app.app, { pipeline: 'sorting', code: 'hostile-check' })).id;
    await app.http
      .post('/api/v1/test/parcels')
      .send({ parcelId: 'H-1', weight: 1, fail: true })
      .expect(201);
    const bus = app.app.get(EventBus);
    letterId = (await eventually(async () => (await bus.listDeadLetters(10))[0])).id;
    const store = app.app.get(ObjectStore);
    await store.put('hostile', [
      {
        key: 'k-1',
        payload: { n: 1 },
        error: { code: 'boom', message: 'boom', retriable: false },
        nextAttemptAt: new Date(Date.now() + 3_600_000),
      },
    ]);
    entryId = (await store.get('hostile', 'k-1'))!.id;
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  /** Everything an admin call could change: tables, streams, dead letters, paused pipelines, handled events. */
  async function snapshot() {
    const bus = app.app.get(EventBus);
    const streams = await bus.describeStreams();
    return {
      audit: await rows(app.app, 'admin_audit'),
      errors: (await rows(app.app, 'error_records')).map(({ id, status, note, notifications }) => ({
        id,
        status,
        note,
        notifications,
      })),
      objectStore: await rows(app.app, 'object_store_entries'),
      deadLetters: (await bus.listDeadLetters(100)).map((l) => l.id),
      streams: streams.map((s) => ({ event: s.event, length: s.length })),
      paused: await bus.pausedPipelines(),
      sorted: app.app.get(SortedParcels).all.length,
    };
  }

  /** Each hostile request, as [what, request]; all must be refused with a 4xx problem. */
  function handWritten(): [string, () => ReturnType<TestApp['http']['get']>][] {
    const cases: [string, () => ReturnType<TestApp['http']['get']>][] = [];
    for (const bad of [...INJECTIONS, ...TRAVERSALS]) {
      const id = bad.includes('%') ? bad : encodeURIComponent(bad);
      cases.push(
        [`GET pipelines/${bad}`, () => app.http.get(`${ADMIN}/pipelines/${id}`)],
        [`POST pipelines/${bad}/pause`, () => app.http.post(`${ADMIN}/pipelines/${id}/pause`)],
        [`POST pipelines/${bad}/resume`, () => app.http.post(`${ADMIN}/pipelines/${id}/resume`)],
        [
          `POST events/${bad}/publish`,
          () =>
            app.http
              .post(`${ADMIN}/events/${id}/publish`)
              .send({ payload: { parcelId: 'X', weight: 1 } }),
        ],
        [
          `POST dead-letters/${bad}/replay`,
          () => app.http.post(`${ADMIN}/dead-letters/${id}/replay`).send({}),
        ],
        [`DELETE dead-letters/${bad}`, () => app.http.delete(`${ADMIN}/dead-letters/${id}`)],
        [`GET errors/${bad}`, () => app.http.get(`${ADMIN}/errors/${id}`)],
        [
          `PATCH errors/${bad}`,
          () => app.http.patch(`${ADMIN}/errors/${id}`).send({ status: 'resolved' }),
        ],
        [`POST errors/${bad}/itsm`, () => app.http.post(`${ADMIN}/errors/${id}/itsm`).send({})],
        [
          `GET errors?pipeline=${bad}`,
          () => app.http.get(`${ADMIN}/errors`).query({ pipeline: bad }),
        ],
        [`GET errors?code=${bad}`, () => app.http.get(`${ADMIN}/errors`).query({ code: bad })],
        [`GET errors?status=${bad}`, () => app.http.get(`${ADMIN}/errors`).query({ status: bad })],
        [`GET errors?from=${bad}`, () => app.http.get(`${ADMIN}/errors`).query({ from: bad })],
        [
          `GET dead-letters?event=${bad}`,
          () => app.http.get(`${ADMIN}/dead-letters`).query({ event: bad }),
        ],
        [
          `GET dead-letters?pipeline=${bad}`,
          () => app.http.get(`${ADMIN}/dead-letters`).query({ pipeline: bad }),
        ],
        [`GET audit?actor=${bad}`, () => app.http.get(`${ADMIN}/audit`).query({ actor: bad })],
        [
          `GET audit?targetId=${bad}`,
          () => app.http.get(`${ADMIN}/audit`).query({ targetId: bad }),
        ],
        [`GET audit?action=${bad}`, () => app.http.get(`${ADMIN}/audit`).query({ action: bad })],
        [`GET object-store/${bad}`, () => app.http.get(`${ADMIN}/object-store/${id}`)],
        [
          `POST object-store/${bad}/reprocess`,
          () => app.http.post(`${ADMIN}/object-store/${id}/reprocess`).send({}),
        ],
        [
          `POST object-store/${bad}/discard`,
          () => app.http.post(`${ADMIN}/object-store/${id}/discard`),
        ],
        [
          `GET object-store?store=${bad}`,
          () => app.http.get(`${ADMIN}/object-store`).query({ store: bad }),
        ],
        [
          `GET object-store?keyPrefix=${bad}`,
          () => app.http.get(`${ADMIN}/object-store`).query({ keyPrefix: bad }),
        ],
        [
          `POST object-store/bulk/discard store=${bad}`,
          () =>
            app.http.post(`${ADMIN}/object-store/bulk/discard`).send({ filter: { store: bad } }),
        ],
        [
          `POST object-store/bulk/reprocess keyPrefix=${bad}`,
          () =>
            app.http
              .post(`${ADMIN}/object-store/bulk/reprocess`)
              .send({ filter: { store: 'hostile', keyPrefix: bad } }),
        ],
        [
          `POST reprocessing/run task=${bad}`,
          () => app.http.post(`${ADMIN}/reprocessing/run`).send({ task: bad }),
        ],
      );
    }
    cases.push(
      // Wrong types and out-of-range values.
      ['limit=abc', () => app.http.get(`${ADMIN}/errors`).query({ limit: 'abc' })],
      ['limit=100000', () => app.http.get(`${ADMIN}/audit`).query({ limit: 100000 })],
      ['offset=-1', () => app.http.get(`${ADMIN}/errors`).query({ offset: -1 })],
      ['dead-letters limit=0', () => app.http.get(`${ADMIN}/dead-letters`).query({ limit: 0 })],
      [
        'unknown query parameter',
        () => app.http.get(`${ADMIN}/errors`).query({ orderBy: 'id; DROP TABLE error_records' }),
      ],
      [
        'replay payload as a string',
        () =>
          app.http.post(`${ADMIN}/dead-letters/${letterId}/replay`).send({ payload: 'DROP TABLE' }),
      ],
      [
        'replay payload as an array',
        () => app.http.post(`${ADMIN}/dead-letters/${letterId}/replay`).send({ payload: [1, 2] }),
      ],
      [
        'replay with unknown property',
        () =>
          app.http
            .post(`${ADMIN}/dead-letters/${letterId}/replay`)
            .send({ payload: {}, pipeline: 'other' }),
      ],
      [
        'replay body as an array',
        () => app.http.post(`${ADMIN}/dead-letters/${letterId}/replay`).send([{ payload: {} }]),
      ],
      [
        'publish without payload',
        () => app.http.post(`${ADMIN}/events/parcel.received/publish`).send({}),
      ],
      [
        'publish payload of wrong types',
        () =>
          app.http
            .post(`${ADMIN}/events/parcel.received/publish`)
            .send({ payload: { parcelId: 42, weight: '1' } }),
      ],
      [
        'publish payload with a NoSQL operator',
        () =>
          app.http
            .post(`${ADMIN}/events/parcel.received/publish`)
            .send({ payload: { parcelId: { $ne: null }, weight: 1 } }),
      ],
      [
        'patch status deleted',
        () => app.http.patch(`${ADMIN}/errors/${errorId}`).send({ status: 'deleted' }),
      ],
      [
        'patch note as an object',
        () => app.http.patch(`${ADMIN}/errors/${errorId}`).send({ note: { $set: 'x' } }),
      ],
      [
        'patch note too long',
        () => app.http.patch(`${ADMIN}/errors/${errorId}`).send({ note: 'n'.repeat(4001) }),
      ],
      [
        'patch unknown property',
        () => app.http.patch(`${ADMIN}/errors/${errorId}`).send({ note: 'ok', pipeline: 'other' }),
      ],
      [
        'itsm severity urgent',
        () => app.http.post(`${ADMIN}/errors/${errorId}/itsm`).send({ severity: 'urgent' }),
      ],
      [
        'malformed JSON',
        () =>
          app.http
            .post(`${ADMIN}/dead-letters/${letterId}/replay`)
            .set('Content-Type', 'application/json')
            .send('{"payload":'),
      ],
      // Oversized bodies.
      [
        'bulk discard without a store',
        () => app.http.post(`${ADMIN}/object-store/bulk/discard`).send({ filter: {} }),
      ],
      [
        'bulk discard without a filter',
        () => app.http.post(`${ADMIN}/object-store/bulk/discard`).send({}),
      ],
      [
        'bulk reprocess with a LIKE wildcard',
        () =>
          app.http
            .post(`${ADMIN}/object-store/bulk/reprocess`)
            .send({ filter: { store: 'hostile', keyPrefix: '%' } }),
      ],
      [
        'bulk reprocess with a status of the wrong type',
        () =>
          app.http
            .post(`${ADMIN}/object-store/bulk/reprocess`)
            .send({ filter: { store: 'hostile', status: ['dead'] } }),
      ],
      [
        'object-store reprocess payload as a string',
        () => app.http.post(`${ADMIN}/object-store/${entryId}/reprocess`).send({ payload: 'x' }),
      ],
      ['object-store limit=-5', () => app.http.get(`${ADMIN}/object-store`).query({ limit: -5 })],
      [
        'oversized object-store reprocess',
        () =>
          app.http
            .post(`${ADMIN}/object-store/${entryId}/reprocess`)
            .send({ payload: { padding: BIG } }),
      ],
      [
        'oversized replay',
        () =>
          app.http
            .post(`${ADMIN}/dead-letters/${letterId}/replay`)
            .send({ payload: { parcelId: 'H-1', weight: 1, padding: BIG } }),
      ],
      [
        'oversized publish',
        () =>
          app.http
            .post(`${ADMIN}/events/parcel.received/publish`)
            .send({ payload: { parcelId: 'X', weight: 1, padding: BIG } }),
      ],
      ['oversized patch', () => app.http.patch(`${ADMIN}/errors/${errorId}`).send({ note: BIG })],
    );
    return cases;
  }

  it('refuses every hostile request with a 4xx problem, and nothing changes', async () => {
    const before = await snapshot();
    for (const [what, send] of handWritten()) {
      const response = await send();
      expect(response.status, `${what}: ${response.text.slice(0, 200)}`).toBeGreaterThanOrEqual(
        400,
      );
      expect(response.status, what).toBeLessThan(500);
      expect(response.headers['content-type'], what).toContain('application/problem+json');
      expect(response.text, what).not.toMatch(STACK_OR_SQL);
    }
    // Give a wrongly accepted replay or publish the time to be delivered, then compare.
    await new Promise((r) => setTimeout(r, 300));
    expect(await snapshot()).toEqual(before);
  });

  type Writes = {
    tables: Record<string, unknown>;
    streams: [string, number][];
    deadLetters: number;
    paused: string[];
  };

  /**
   * What any request could write: the rows of every table (and the latest update of those
   * with `updated_at`), every stream's length, the dead letters and the paused pipelines. One
   * SQL statement, so that it can be taken around every request. The audit trail is counted
   * apart: an admin action that passed validation and failed (404, 409) is recorded by design.
   */
  async function watchWrites(): Promise<() => Promise<Writes>> {
    const dataSource = app.app.get(DataSource);
    const mysql = dataSource.options.type !== 'better-sqlite3';
    const columns: { t: string; c: string }[] = mysql
      ? await dataSource.query(
          'SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE()',
        )
      : await dataSource.query(
          "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        );
    const tables = [...new Set(columns.map((row) => row.t))].filter((t) => t !== 'admin_audit');
    const measures = tables.flatMap((table, i) => [
      `(SELECT COUNT(*) FROM \`${table}\`) AS n${i}`,
      ...(columns.some((row) => row.t === table && row.c === 'updated_at')
        ? [`(SELECT MAX(updated_at) FROM \`${table}\`) AS u${i}`]
        : []),
    ]);
    const sql = `SELECT ${measures.join(', ')}, (SELECT COUNT(*) FROM admin_audit) AS audit`;
    const bus = app.app.get(EventBus);
    return async () => ({
      tables: ((await dataSource.query(sql)) as Record<string, unknown>[])[0]!,
      streams: (await bus.describeStreams()).map((s): [string, number] => [s.event, s.length]),
      deadLetters: (await bus.listDeadLetters(1000)).length,
      paused: await bus.pausedPipelines(),
    });
  }

  it('answers every hostile request generated from its OpenAPI document with no 5xx, no stack or SQL, and writes nothing for a refused one', async () => {
    const base = await app.app.getUrl();
    const document = (await rawRequest(`${base}/docs-json`)).body as unknown as OpenApiDocument;
    const known = (path: string, parameter: string) =>
      (
        ({
          '/api/v1/admin/dead-letters/{id}': letterId,
          '/api/v1/admin/dead-letters/{id}/replay': letterId,
          '/api/v1/admin/errors/{id}': errorId,
          '/api/v1/admin/errors/{id}/itsm': errorId,
          '/api/v1/admin/object-store/{id}': entryId,
          '/api/v1/admin/object-store/{id}/reprocess': entryId,
          '/api/v1/admin/object-store/{id}/discard': entryId,
          '/api/v1/admin/events/{name}/publish': 'parcel.received',
        }) as Record<string, string>
      )[path] ?? (parameter === 'name' && path.includes('/pipelines/') ? 'sorting' : undefined);
    const requests = hostileRequests(document, known, 100 * 1024);
    const operations = new Set(requests.map((r) => r.what.split(':')[0]));
    expect(operations.size).toBeGreaterThan(30);
    const identities = {
      admin: { authorization: `Bearer ${await testToken(['admin'])}` },
      anonymous: {},
    };
    const writes = await watchWrites();
    /** After an accepted request, what it set off (a publish, a replay) settles first. */
    const settled = async () => {
      let last = await writes();
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const next = await writes();
        if (JSON.stringify(next) === JSON.stringify(last)) return next;
        last = next;
      }
      return last;
    };
    const failures: string[] = [];
    const accepted: string[] = [];
    let before = await writes();
    for (const [who, credentials] of Object.entries(identities)) {
      for (const request of requests) {
        const what = `${request.what} as ${who}`;
        const answer = await rawRequest(`${base}${request.path}`, {
          method: request.method,
          headers: { ...request.headers, ...credentials },
          body: request.body,
        });
        if (answer.status >= 500)
          failures.push(`${what}: ${answer.status} ${answer.text.slice(0, 150)}`);
        if (STACK_OR_SQL.test(answer.text))
          failures.push(`${what}: leaks ${answer.text.slice(0, 300)}`);
        if (answer.status < 400) {
          accepted.push(`${what}: ${answer.status}`);
          before = request.method === 'GET' ? await writes() : await settled();
          continue;
        }
        if (!String(answer.headers['content-type']).includes('application/problem+json'))
          failures.push(`${what}: ${answer.status} as ${answer.headers['content-type']}`);
        const after = await writes();
        // A failed attempt at an audited action leaves one audit row, and nothing else.
        const attempted = answer.status === 404 || answer.status === 409;
        const audited = Number(after.tables.audit) - Number(before.tables.audit);
        if (attempted && audited <= 1) before.tables.audit = after.tables.audit;
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          failures.push(
            `${what}: refused with ${answer.status} but wrote ${JSON.stringify(after)}`,
          );
          before = after;
        }
      }
    }
    expect(failures).toEqual([]);
    // Anonymous callers get nothing past the guard but public routes.
    expect(accepted.filter((a) => a.includes('as anonymous') && a.includes('/api/v1/'))).toEqual(
      [],
    );
    console.log(`${requests.length * 2} hostile requests, ${accepted.length} accepted`);
  });
});
