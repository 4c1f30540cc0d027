import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import type { DeepPartial } from '../src/platform/config/index.js';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import {
  IMPORT_RECORDS_STORE,
  storedRecordKey,
} from '../src/integrations/import/kernel/stored-record.js';
import { integrations } from '../src/integrations/index.js';
import { seedPeople } from './fixtures/import-flow/people-source.js';
import { REFUSAL, refuseDeadRecords } from './fixtures/import-flow/refused-dead-records.js';
import { startTargetPeer, type TargetPeer } from './fixtures/import-flow/target-peer.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const ADMIN = '/api/v1/admin';

const source = (table: string) => ({
  type: 'sql',
  connection: 'default',
  query: `SELECT id, name, email, amount FROM ${table}`,
  keyColumn: 'id',
  pageSize: 10,
});

describe.each(profiles)(
  'an operator discarding import records in the Object Store on the %s profile',
  (profileName) => {
    let profile: ProfileResources;
    let target: TargetPeer;
    let app: TestApp;

    beforeAll(async () => {
      profile = await prepareProfile(profileName);
      target = await startTargetPeer();
      const overrides = {
        importFlow: {
          sources: {
            single: source('single_people'),
            bulk: source('bulk_people'),
            refused: source('refused_people'),
          },
          target: { table: 'import_target_records', httpUrl: target.url },
          // Reprocessing runs only when the operator asks: a failing record stays pending.
          reprocess: { intervalMs: 3_600_000, maxAttempts: 50, baseDelayMs: 3_600_000 },
        },
      } as DeepPartial<AppConfig>;
      app = await startTestApp(profile, { catalogue: integrations, overrides });
      await seedPeople(app, 'single_people', 4);
      await seedPeople(app, 'bulk_people', 5);
      await seedPeople(app, 'refused_people', 4);
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
      await target?.close();
    });

    const progress = async (id: string) =>
      (await app.as('integration').get(`/api/v1/imports/${id}`).expect(200)).body;
    const entry = (importId: string, key: string) =>
      app.app.get(ObjectStore).get(IMPORT_RECORDS_STORE, storedRecordKey(importId, key));
    /** Starts an import and waits until all but `failing` are processed and those are pending. */
    const importWithPending = async (name: string, failing: string[]): Promise<string> => {
      const id = (
        await app.as('integration').post('/api/v1/imports').send({ source: name }).expect(202)
      ).body.id as string;
      await eventually(
        async () => {
          const p = await progress(id);
          if (p.extraction !== 'done' || p.counts.pending !== failing.length) return false;
          const entries = await Promise.all(failing.map((k) => entry(id, k)));
          return entries.every((e) => e?.status === 'pending' && e.retriable);
        },
        40_000,
        `import of ${name} with ${failing.join(', ')} pending`,
      );
      return id;
    };

    it('counts a discarded record as dead: the import completes with errors', async () => {
      // The target is unavailable for record 2, for ever: it stays pending, to retry.
      target.failPermanently('single:2');
      const id = await importWithPending('single', ['2']);
      const before = await progress(id);
      expect(before.status).toBe('running');
      expect(before.counts).toMatchObject({ extracted: 4, processed: 3, dead: 0, pending: 1 });

      const stored = (await entry(id, '2'))!;
      const discarded = await app.http.post(`${ADMIN}/object-store/${stored.id}/discard`);
      expect(discarded.status, discarded.text).toBe(200);
      expect(discarded.body).toMatchObject({ status: 'dead', errorCode: 'discarded' });

      // Told within the operator's call: no waiting.
      const after = await progress(id);
      expect(after.status).toBe('completed-with-errors');
      expect(after.counts).toMatchObject({
        extracted: 4,
        processed: 3,
        failed: 1,
        succeededAfterRetry: 0,
        dead: 1,
        pending: 0,
      });
      expect(after.counts.processed + after.counts.dead + after.counts.pending).toBe(
        after.counts.extracted,
      );

      // Discarded is not lost: reprocessed later, once the target is back, the record revives.
      target.reset();
      await app
        .as('operator')
        .post(`${ADMIN}/object-store/${stored.id}/reprocess`)
        .send({})
        .expect(200);
      await app.as('operator').post(`${ADMIN}/reprocessing/run`).send({}).expect(200);
      const revived = await eventually(
        async () => {
          const p = await progress(id);
          return p.status === 'completed' && p;
        },
        30_000,
        'the discarded record revived',
      );
      expect(revived.counts).toMatchObject({ processed: 4, succeededAfterRetry: 1, dead: 0 });
    });

    it('counts records discarded in bulk over a filter as dead', async () => {
      target.failPermanently('bulk:2');
      target.failPermanently('bulk:4');
      const id = await importWithPending('bulk', ['2', '4']);
      expect(await progress(id)).toMatchObject({
        status: 'running',
        counts: { extracted: 5, processed: 3, dead: 0, pending: 2 },
      });

      const bulk = await app.http.post(`${ADMIN}/object-store/bulk/discard`).send({
        filter: { store: IMPORT_RECORDS_STORE, keyPrefix: `${id}/`, status: 'pending' },
      });
      expect(bulk.status, bulk.text).toBe(200);
      expect(bulk.body).toEqual({ affected: 2 });

      const after = await progress(id);
      expect(after.status).toBe('completed-with-errors');
      expect(after.counts).toMatchObject({
        extracted: 5,
        processed: 3,
        failed: 2,
        dead: 2,
        pending: 0,
      });
      for (const key of ['2', '4'])
        expect(await entry(id, key)).toMatchObject({ status: 'dead', errorCode: 'discarded' });
    });

    it('never moves a succeeded record: its done entry is refused, a stray entry of it changes nothing', async () => {
      // Record 1 fails once, and succeeds when the operator has it reprocessed.
      target.reset();
      target.failTransiently('single:1', 1);
      target.failPermanently('single:2');
      const id = await importWithPending('single', ['1', '2']);
      const first = (await entry(id, '1'))!;
      await app
        .as('operator')
        .post(`${ADMIN}/object-store/${first.id}/reprocess`)
        .send({})
        .expect(200);
      await app.as('operator').post(`${ADMIN}/reprocessing/run`).send({}).expect(200);
      await eventually(
        async () => (await entry(id, '1'))?.status === 'done',
        30_000,
        'record 1 succeeded after retry',
      );
      const settled = await progress(id);
      expect(settled.counts).toMatchObject({ processed: 3, succeededAfterRetry: 1, pending: 1 });

      const refused = await app.http.post(`${ADMIN}/object-store/${first.id}/discard`).expect(409);
      expect(refused.body.code).toBe('entry-in-flight');
      expect((await progress(id)).counts).toEqual(settled.counts);

      // An entry of a record that succeeded meanwhile (a failure overtaken by its retry)
      // is discarded, and the record stays succeeded.
      await app.app.get(ObjectStore).put(IMPORT_RECORDS_STORE, [
        {
          key: storedRecordKey(id, '3'),
          payload: { importId: id, source: 'single', key: '3', data: {}, correlationId: 'x' },
          error: { code: 'target-unavailable', message: 'late', retriable: true },
          nextAttemptAt: new Date(Date.now() + 3_600_000),
        },
      ]);
      const stray = (await entry(id, '3'))!;
      await app.http.post(`${ADMIN}/object-store/${stray.id}/discard`).expect(200);
      expect((await progress(id)).counts).toEqual(settled.counts);

      // Discarding the record still failing completes the import; the succeeded ones stay.
      const second = (await entry(id, '2'))!;
      await app.http.post(`${ADMIN}/object-store/${second.id}/discard`).expect(200);
      expect(await progress(id)).toMatchObject({
        status: 'completed-with-errors',
        counts: { extracted: 4, processed: 3, succeededAfterRetry: 1, dead: 1, pending: 0 },
      });
    });

    /** Runs `call` while the database refuses to move import records to dead. */
    const whileRecordsCannotDie = async <T>(call: () => Promise<T>): Promise<T> => {
      const lift = await refuseDeadRecords(app.app.get(DataSource));
      try {
        return await call();
      } finally {
        await lift();
      }
    };
    /** A problem body that says what happened and what to do, and nothing of the cause. */
    const expectIncompleteDiscard = (answer: { status: number; text: string; body: unknown }) => {
      expect(answer.status, answer.text).toBe(500);
      expect(answer.body).toMatchObject({
        status: 500,
        code: 'discard-incomplete',
        detail: expect.stringMatching(/discarded, but .* could not be told.* again/),
      });
      expect(answer.text).not.toContain(REFUSAL);
      expect(answer.text).not.toMatch(/import_records|UPDATE|SQLITE|ER_|\bat \S+:\d+/);
    };

    it('answers a discard its import could not be told of with a clear error; discarding again finishes it, and again changes nothing', async () => {
      target.reset();
      target.failPermanently('refused:2');
      const id = await importWithPending('refused', ['2']);
      const stored = (await entry(id, '2'))!;
      const discard = () => app.http.post(`${ADMIN}/object-store/${stored.id}/discard`);

      // The import flow's write fails: the entry is dead already, its record still open.
      expectIncompleteDiscard(await whileRecordsCannotDie(discard));
      expect(await entry(id, '2')).toMatchObject({ status: 'dead', errorCode: 'discarded' });
      expect(await progress(id)).toMatchObject({
        status: 'running',
        counts: { extracted: 4, processed: 3, dead: 0, pending: 1 },
      });

      // The entry is dead, and discarding it again tells the import flow again.
      const again = await discard();
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ status: 'dead', errorCode: 'discarded' });
      const done = await progress(id);
      expect(done).toMatchObject({
        status: 'completed-with-errors',
        counts: { extracted: 4, processed: 3, failed: 1, dead: 1, pending: 0 },
      });

      await discard().expect(200);
      expect(await progress(id)).toEqual(done);
    });

    it('answers a bulk discard its import could not be told of with a clear error; the discarded ones discarded again finish it', async () => {
      target.reset();
      target.failPermanently('refused:1');
      target.failPermanently('refused:3');
      const id = await importWithPending('refused', ['1', '3']);
      const filter = { store: IMPORT_RECORDS_STORE, keyPrefix: `${id}/` };

      expectIncompleteDiscard(
        await whileRecordsCannotDie(() =>
          app.http
            .post(`${ADMIN}/object-store/bulk/discard`)
            .send({ filter: { ...filter, status: 'pending' } }),
        ),
      );
      for (const key of ['1', '3'])
        expect(await entry(id, key)).toMatchObject({ status: 'dead', errorCode: 'discarded' });
      expect((await progress(id)).counts).toMatchObject({ dead: 0, pending: 2 });

      // The same filter finds no pending entry any more: the answer names the one that does.
      const same = await app.http
        .post(`${ADMIN}/object-store/bulk/discard`)
        .send({ filter: { ...filter, status: 'pending' } });
      expect(same.body).toEqual({ affected: 0 });
      expect((await progress(id)).status).toBe('running');
      const retry = await app.http
        .post(`${ADMIN}/object-store/bulk/discard`)
        .send({ filter: { ...filter, status: 'dead', errorCode: 'discarded' } });
      expect(retry.status, retry.text).toBe(200);
      expect(retry.body).toEqual({ affected: 2 });
      expect(await progress(id)).toMatchObject({
        status: 'completed-with-errors',
        counts: { extracted: 4, processed: 2, dead: 2, pending: 0 },
      });
    });
  },
);
