import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import type { DeepPartial } from '../src/platform/config/index.js';
import { ErrorStore } from '../src/platform/error-store/error-store.js';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import {
  IMPORT_RECORDS_STORE,
  storedRecordKey,
} from '../src/integrations/import/kernel/stored-record.js';
import { integrations } from '../src/integrations/index.js';
import { startPagedSourcePeer } from './fixtures/import-flow/paged-source-peer.js';
import { seedPeople } from './fixtures/import-flow/people-source.js';
import { startTargetPeer, type TargetPeer } from './fixtures/import-flow/target-peer.js';
import { startItsmPeer, type ItsmPeer } from './support/itsm-peer.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { startSmtpPeer, type SmtpPeer } from './support/smtp-peer.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const SUPPORT = 'support@example.com';

describe.each(profiles)('import flow (asynchronous model) on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let target: TargetPeer;
  let itsm: ItsmPeer;
  let smtp: SmtpPeer;
  let overrides: DeepPartial<AppConfig>;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    [target, itsm, smtp] = await Promise.all([startTargetPeer(), startItsmPeer(), startSmtpPeer()]);
    overrides = {
      importFlow: {
        sources: {
          people: {
            type: 'sql',
            connection: 'default',
            query: 'SELECT id, name, email, amount FROM e2e_people',
            keyColumn: 'id',
            pageSize: 7,
            maxAttempts: 3,
          },
          bulk: {
            type: 'sql',
            connection: 'default',
            query: 'SELECT * FROM e2e_bulk',
            keyColumn: 'id',
            pageSize: 5,
          },
        },
        target: { table: 'import_target_records', httpUrl: target.url },
        errorHandling: { supportEmail: SUPPORT },
      },
      notifiers: { email: { smtpUrl: smtp.url() }, itsm: { url: itsm.url } },
    } as DeepPartial<AppConfig>;
  });
  beforeEach(() => {
    target.reset();
    itsm.reset();
    smtp.received.length = 0;
  });
  afterAll(async () => {
    await profile?.dispose();
    await Promise.all([target?.close(), itsm?.close(), smtp?.close()]);
  });

  const progressOf = async (app: TestApp, id: string) =>
    (await app.http.get(`/api/v1/imports/${id}`).expect(200)).body;
  const settled = (app: TestApp, id: string, timeoutMs = 40_000) =>
    eventually(
      async () => {
        const progress = await progressOf(app, id);
        return progress.status !== 'running' && progress;
      },
      timeoutMs,
      `import ${id} to settle`,
    );

  it('moves every record to the target once, reprocesses transient failures, and treats the dead ones as errors', async () => {
    const app = await startTestApp(profile, { catalogue: integrations, overrides });
    try {
      const N = 60;
      const invalid = [5, 17];
      const transient = [3, 10, 22, 40];
      const permanent = [8, 30];
      await seedPeople(app, 'e2e_people', N, invalid);
      for (const id of transient) target.failTransiently(`people:${id}`, 2);
      for (const id of permanent) target.failPermanently(`people:${id}`);

      const begun = Date.now();
      const started = await app.http.post('/api/v1/imports').send({ source: 'people' }).expect(202);
      expect(started.body).toMatchObject({
        source: 'people',
        status: 'running',
        href: `/api/v1/imports/${started.body.id}`,
      });
      const id: string = started.body.id;

      const progress = await settled(app, id);
      expect(progress.status).toBe('completed-with-errors');
      expect(progress.counts).toEqual({
        extracted: N,
        processed: N - invalid.length - permanent.length,
        failed: invalid.length + transient.length + permanent.length,
        reprocessed: transient.length + permanent.length,
        reprocessAttempts: transient.length * 2 + permanent.length * 3,
        succeededAfterRetry: transient.length,
        dead: invalid.length + permanent.length,
        pending: 0,
      });

      // The target service: every valid record arrived exactly once; the transient ones on their third POST.
      for (let key = 1; key <= N; key++) {
        const name = `people:${key}`;
        if (invalid.includes(key)) expect(target.posts.get(name), name).toBeUndefined();
        else if (permanent.includes(key)) {
          expect(target.accepted.get(name), name).toBeUndefined();
          expect(target.posts.get(name), name).toBe(1 + 3);
        } else expect(target.accepted.get(name), name).toBe(1);
      }
      for (const key of transient) expect(target.posts.get(`people:${key}`)).toBe(3);

      // The target table: one row per valid record, however often it was written.
      const db = app.app.get(DataSource);
      const [{ total }] = await db.query(
        `SELECT COUNT(*) AS total FROM import_target_records WHERE source = 'people'`,
      );
      expect(Number(total)).toBe(N - invalid.length - permanent.length);

      // The Object Store: invalid records dead without attempts, permanent ones at the limit,
      // transient ones done, and kept the done retention from when they settled; dead ones for good.
      const store = app.app.get(ObjectStore);
      const { doneRetentionMs } = app.config.objectStore;
      const settledBy = Date.now();
      for (const key of invalid) {
        expect(
          await store.get(IMPORT_RECORDS_STORE, storedRecordKey(id, String(key))),
        ).toMatchObject({
          status: 'dead',
          attempts: 0,
          retriable: false,
          errorCode: 'invalid-record',
          expiresAt: null,
        });
      }
      for (const key of permanent) {
        expect(
          await store.get(IMPORT_RECORDS_STORE, storedRecordKey(id, String(key))),
        ).toMatchObject({
          status: 'dead',
          attempts: 3,
          errorCode: 'target-http-503',
          expiresAt: null,
        });
      }
      for (const key of transient) {
        const entry = await store.get(IMPORT_RECORDS_STORE, storedRecordKey(id, String(key)));
        expect(entry).toMatchObject({ status: 'done', attempts: 2 });
        expect(entry!.expiresAt!.getTime()).toBeGreaterThanOrEqual(begun + doneRetentionMs);
        expect(entry!.expiresAt!.getTime()).toBeLessThanOrEqual(settledBy + doneRetentionMs);
      }

      // Error treatment: an error record per dead record, alerted through one ticket per import and code.
      const errors = app.app.get(ErrorStore);
      const records = await eventually(
        async () => {
          const { items } = await errors.list({ pipeline: 'reprocess' }, { offset: 0, limit: 100 });
          const mine = items.filter((r) => r.context?.importId === id);
          return (
            mine.length === invalid.length + permanent.length &&
            mine.every((r) => r.status === 'alerted') &&
            mine
          );
        },
        20_000,
        'the dead records to be stored and alerted',
      );
      expect(records.map((r) => r.code).sort()).toEqual([
        'invalid-record',
        'invalid-record',
        'target-http-503',
        'target-http-503',
      ]);
      const incidents = itsm.received.filter((r) => JSON.stringify(r.body).includes(id));
      expect(incidents).toHaveLength(2);
      const ticketOf = (code: string) =>
        records.filter((r) => r.code === code).map((r) => r.notifications?.ticketId);
      expect(new Set(ticketOf('invalid-record')).size).toBe(1);
      expect(new Set(ticketOf('target-http-503')).size).toBe(1);
      expect(ticketOf('invalid-record')[0]).not.toBe(ticketOf('target-http-503')[0]);
      const mails = await eventually(
        () => {
          const found = smtp.received.filter(
            (m) => m.rcptTo.includes(SUPPORT) && (m.header('subject') ?? '').includes(id),
          );
          return found.length === 2 && found;
        },
        10_000,
        'one e-mail per alert',
      );
      expect(mails.map((m) => m.header('subject')).join(' ')).toContain('invalid-record');
    } finally {
      await app.close();
    }
  });

  it('refuses bad requests with problem details', async () => {
    const app = await startTestApp(profile, { catalogue: integrations, overrides });
    try {
      const unknown = await app.http
        .post('/api/v1/imports')
        .send({ source: 'nowhere' })
        .expect(400);
      expect(unknown.headers['content-type']).toContain('application/problem+json');
      expect(unknown.body).toMatchObject({ code: 'unknown-source', errors: [{ field: 'source' }] });
      expect(unknown.body.errors[0].message).toContain('people');
      const extra = await app.http
        .post('/api/v1/imports')
        .send({ source: 'people', query: 'DROP TABLE x' })
        .expect(400);
      expect(extra.body.code).toBe('validation-failed');
      await app.http.post('/api/v1/imports').send({}).expect(400);
      await app.http.get('/api/v1/imports/not-a-uuid').expect(400);
      const missing = await app.http
        .get('/api/v1/imports/9b2d7f5e-4a59-4c0e-9d61-8f0b7f3b2a10')
        .expect(404);
      expect(missing.body.code).toBe('import-not-found');
    } finally {
      await app.close();
    }
  });

  it('imports the seeded sample source of the default configuration', async () => {
    const app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: {
        ...overrides,
        importFlow: { ...overrides.importFlow, target: { table: 'import_target_records' } },
      } as DeepPartial<AppConfig>,
    });
    try {
      const started = await app.http.post('/api/v1/imports').send({ source: 'sample' }).expect(202);
      const progress = await settled(app, started.body.id);
      expect(progress).toMatchObject({
        status: 'completed',
        counts: { extracted: 25, processed: 25, dead: 0 },
      });
      const db = app.app.get(DataSource);
      const [{ total }] = await db.query(
        `SELECT COUNT(*) AS total FROM import_target_records WHERE source = 'sample'`,
      );
      expect(Number(total)).toBe(25);
    } finally {
      await app.close();
    }
  });

  it('extracts from a paginated HTTP API source', async () => {
    const N = 23;
    const source = await startPagedSourcePeer(
      Array.from({ length: N }, (_, i) => ({
        code: `h-${i + 1}`,
        name: `Web ${i + 1}`,
        email: `w${i + 1}@example.com`,
        amount: i,
      })),
    );
    const app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: {
        ...overrides,
        importFlow: {
          ...overrides.importFlow,
          sources: { web: { type: 'http', url: source.url, pageSize: 5, keyField: 'code' } },
        },
      } as DeepPartial<AppConfig>,
    });
    try {
      const started = await app.http.post('/api/v1/imports').send({ source: 'web' }).expect(202);
      const progress = await settled(app, started.body.id);
      expect(progress).toMatchObject({
        status: 'completed',
        counts: { extracted: N, processed: N, dead: 0 },
      });
      expect(source.limits).toEqual([5, 5, 5, 5, 5]);
      for (let i = 1; i <= N; i++) expect(target.accepted.get(`web:h-${i}`)).toBe(1);
    } finally {
      await app.close();
      await source.close();
    }
  });

  it('loses nothing when the app stops mid-import and starts again', async () => {
    const N = 400;
    let app = await startTestApp(profile, { catalogue: integrations, overrides });
    target.delayMs = 40;
    try {
      await seedPeople(app, 'e2e_bulk', N);
      target.failTransiently('bulk:7', 1);
      const id: string = (
        await app.http.post('/api/v1/imports').send({ source: 'bulk' }).expect(202)
      ).body.id;
      await eventually(
        () => [...target.accepted.keys()].filter((k) => k.startsWith('bulk:')).length >= 40,
        20_000,
        'the import to be under way',
      );
      await app.close();
      const before = await (async () => {
        app = await startTestApp(profile, { catalogue: integrations, overrides });
        return progressOf(app, id);
      })();
      // Stopped mid-import: it was not complete when the first process stopped.
      expect(before.counts.processed).toBeLessThan(N);
      target.delayMs = 0;

      const progress = await settled(app, id);
      expect(progress.status).toBe('completed');
      expect(progress.counts).toMatchObject({ extracted: N, processed: N, dead: 0, pending: 0 });
      for (let key = 1; key <= N; key++)
        expect(target.accepted.get(`bulk:${key}`), `bulk:${key}`).toBe(1);
      const db = app.app.get(DataSource);
      const [{ total }] = await db.query(
        `SELECT COUNT(*) AS total FROM import_target_records WHERE source = 'bulk'`,
      );
      expect(Number(total)).toBe(N);
    } finally {
      target.delayMs = 0;
      await app.close();
    }
  });
});
