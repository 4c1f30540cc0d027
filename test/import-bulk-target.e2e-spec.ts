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
import { seedPeople } from './fixtures/import-flow/people-source.js';
import { startTargetPeer, type TargetPeer } from './fixtures/import-flow/target-peer.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const BATCH = 50;

const peopleSource = (table: string) => ({
  type: 'sql',
  connection: 'default',
  query: `SELECT id, name, email, amount FROM ${table}`,
  keyColumn: 'id',
  // Pages larger than a bulk POST: a batch of records goes out in several chunks.
  pageSize: 150,
  maxAttempts: 3,
});

describe.each(profiles)('import to a bulk target service on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let target: TargetPeer;
  let overrides: DeepPartial<AppConfig>;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    target = await startTargetPeer();
    overrides = {
      importFlow: {
        sources: { people: peopleSource('e2e_people'), hiccup: peopleSource('e2e_hiccup') },
        target: { table: 'import_target_records', httpUrl: target.url, httpBatchSize: BATCH },
      },
    } as DeepPartial<AppConfig>;
  });
  beforeEach(() => target.reset());
  afterAll(async () => {
    await profile?.dispose();
    await target?.close();
  });

  const settled = (app: TestApp, id: string) =>
    eventually(
      async () => {
        const progress = (await app.http.get(`/api/v1/imports/${id}`).expect(200)).body;
        return progress.status !== 'running' && progress;
      },
      40_000,
      `import ${id} to settle`,
    );
  const startImport = async (app: TestApp, source: string): Promise<string> =>
    (await app.http.post('/api/v1/imports').send({ source }).expect(202)).body.id;
  const totalPosts = () => [...target.posts.values()].reduce((a, b) => a + b, 0);
  const sum = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);

  it('sends records in bulk POSTs of at most httpBatchSize, retries the transient failures of single records and sends the refused ones to dead', async () => {
    const app = await startTestApp(profile, { catalogue: integrations, overrides });
    try {
      const N = 300;
      const transient = [3, 60, 111, 250];
      const unavailable = [8, 170];
      const refused = [42];
      await seedPeople(app, 'e2e_people', N);
      for (const id of transient) target.failTransiently(`people:${id}`, 1);
      // The service says why in each record's result: the failure keeps its words.
      for (const id of unavailable)
        target.failPermanently(`people:${id}`, 503, { message: 'busy' });
      for (const id of refused)
        target.failPermanently(`people:${id}`, 422, { error: 'amount must be positive' });

      const id = await startImport(app, 'people');
      const progress = await settled(app, id);
      expect(progress.status).toBe('completed-with-errors');
      const dead = unavailable.length + refused.length;
      expect(progress.counts).toEqual({
        extracted: N,
        processed: N - dead,
        failed: transient.length + dead,
        // A refused record is not worth another attempt: dead at once.
        reprocessed: transient.length + unavailable.length,
        reprocessAttempts: transient.length + unavailable.length * 3,
        succeededAfterRetry: transient.length,
        dead,
        pending: 0,
      });

      // Every POST was a bulk one, none above the batch size, and batches did fill them.
      expect(sum(target.bulkSizes)).toBe(totalPosts());
      expect(Math.max(...target.bulkSizes)).toBeLessThanOrEqual(BATCH);
      expect(target.bulkSizes.some((size) => size > 1)).toBe(true);

      // Each record the service took, it took once; the failing ones were sent as often as tried.
      for (let key = 1; key <= N; key++) {
        const name = `people:${key}`;
        if (unavailable.includes(key) || refused.includes(key))
          expect(target.accepted.get(name), name).toBeUndefined();
        else expect(target.accepted.get(name), name).toBe(1);
      }
      for (const key of transient) expect(target.posts.get(`people:${key}`)).toBe(2);
      for (const key of unavailable) expect(target.posts.get(`people:${key}`)).toBe(1 + 3);
      for (const key of refused) expect(target.posts.get(`people:${key}`)).toBe(1);

      const db = app.app.get(DataSource);
      const [{ total }] = await db.query(
        `SELECT COUNT(*) AS total FROM import_target_records WHERE source = 'people'`,
      );
      expect(Number(total)).toBe(N - dead);

      const store = app.app.get(ObjectStore);
      const entry = (key: number) => store.get(IMPORT_RECORDS_STORE, storedRecordKey(id, `${key}`));
      for (const key of transient)
        expect(await entry(key)).toMatchObject({ status: 'done', attempts: 1 });
      for (const key of unavailable) {
        expect(await entry(key)).toMatchObject({
          status: 'dead',
          attempts: 3,
          errorCode: 'target-http-503',
          lastError: 'target service answered HTTP 503 for the record in a bulk request: busy',
        });
      }
      for (const key of refused) {
        expect(await entry(key)).toMatchObject({
          status: 'dead',
          attempts: 0,
          retriable: false,
          errorCode: 'target-rejected',
          lastError:
            'target service answered HTTP 422 for the record in a bulk request: amount must be positive',
        });
      }

      // Error treatment: an error record per dead record.
      const errors = app.app.get(ErrorStore);
      const records = await eventually(
        async () => {
          const { items } = await errors.list({ pipeline: 'reprocess' }, { offset: 0, limit: 100 });
          const mine = items.filter((r) => r.context?.importId === id);
          return mine.length === dead && mine;
        },
        20_000,
        'an error record per dead record',
      );
      expect(records.map((r) => r.code).sort()).toEqual([
        'target-http-503',
        'target-http-503',
        'target-rejected',
      ]);
      const [rejection] = records.filter((r) => r.code === 'target-rejected');
      expect(rejection?.message).toContain(`record ${refused[0]} of source 'people' is dead`);
      expect(rejection?.message).toMatch(/: amount must be positive$/);
    } finally {
      await app.close();
    }
  });

  it('tries the records again when the service answers a bulk POST with something unreadable', async () => {
    const app = await startTestApp(profile, { catalogue: integrations, overrides });
    try {
      const N = 120;
      await seedPeople(app, 'e2e_hiccup', N);
      target.answerBulkMalformed(1, '<html>gateway hiccup</html>');

      const id = await startImport(app, 'hiccup');
      const progress = await settled(app, id);
      // The records of the first bulk POST, answered with HTML.
      const unread = target.bulkSizes[0];
      expect(unread).toBeGreaterThan(0);
      expect(progress.status).toBe('completed');
      expect(progress.counts).toMatchObject({
        extracted: N,
        processed: N,
        failed: unread,
        succeededAfterRetry: unread,
        dead: 0,
        pending: 0,
      });
      for (let key = 1; key <= N; key++)
        expect(target.accepted.get(`hiccup:${key}`), `hiccup:${key}`).toBe(1);
      const sentTwice = [...target.posts].filter(([, posts]) => posts === 2).map(([k]) => k);
      expect(sentTwice).toHaveLength(unread);
      expect(sum(target.bulkSizes)).toBe(N + unread);

      const store = app.app.get(ObjectStore);
      const entry = await store.get(
        IMPORT_RECORDS_STORE,
        storedRecordKey(id, sentTwice[0].slice('hiccup:'.length)),
      );
      expect(entry).toMatchObject({
        status: 'done',
        attempts: 1,
        errorCode: 'target-bad-response',
      });
      expect(entry?.lastError).toContain('an answer that is not JSON');
    } finally {
      await app.close();
    }
  });
});
