import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import { IMPORT_RECORDS_STORE } from '../src/integrations/import/kernel/stored-record.js';
import { rows } from './support/app-data.js';
import { startOperatorImportApp } from './support/operator-import-app.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, type TestApp } from './support/test-app.js';

const ADMIN = '/api/v1/admin';

describe.each(profiles)('Object Store and reprocessing admin on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let importId: string;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    // Reprocessing waits for the operator: the invalid records stay pending for review.
    app = await startOperatorImportApp(profile, 'admin', [
      { id: 1, name: 'Ada', email: 'ada@example.com', amount: 10 },
      { id: 2, name: 'Bob', email: 'not-an-email', amount: 20 },
      { id: 3, name: 'Cy', email: 'also-bad', amount: 30 },
      { id: 4, name: 'Di', email: 'nope', amount: 40 },
    ]);
    importId = (
      await app.as('integration').post('/api/v1/imports').send({ source: 'admin' }).expect(202)
    ).body.id;
    await eventually(
      async () => {
        const { body } = await app
          .as('operator')
          .get(`${ADMIN}/object-store`)
          .query({ store: IMPORT_RECORDS_STORE, keyPrefix: `${importId}/` })
          .expect(200);
        return body.total === 3;
      },
      40_000,
      'the three invalid records in the Object Store',
    );
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const targetRows = async () =>
    rows<{ record_key: string; email: string }>(app.app, 'import_target_records').then((all) =>
      all.filter((r) => ['1', '2', '3', '4'].includes(r.record_key)),
    );
  const entryOf = async (key: string) => {
    const { body } = await app
      .as('operator')
      .get(`${ADMIN}/object-store`)
      .query({ store: IMPORT_RECORDS_STORE, keyPrefix: `${importId}/${key}` })
      .expect(200);
    return body.items.find((e: { key: string }) => e.key === `${importId}/${key}`) as {
      id: string;
      status: string;
      errorCode: string;
    };
  };

  it('lists and shows the entries the import failed on, filtered', async () => {
    expect((await targetRows()).map((r) => r.record_key)).toEqual(['1']);
    await eventually(
      async () => (await targetRows()).length === 1,
      20_000,
      'the valid record in the target',
    );
    const { body } = await app
      .as('operator')
      .get(`${ADMIN}/object-store`)
      .query({ store: IMPORT_RECORDS_STORE, status: 'pending', errorCode: 'invalid-record' })
      .expect(200);
    expect(body.total).toBe(3);
    expect(body.items.map((e: { key: string }) => e.key).sort()).toEqual([
      `${importId}/2`,
      `${importId}/3`,
      `${importId}/4`,
    ]);
    expect(body.items[0]).not.toHaveProperty('payload');
    const detail = await app
      .as('operator')
      .get(`${ADMIN}/object-store/${body.items[0].id}`)
      .expect(200);
    expect(detail.body.payload).toMatchObject({ importId, source: 'admin' });
    const metrics = (await app.anonymous.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(
      new RegExp(
        `tributary_object_store_entries\\{store="${IMPORT_RECORDS_STORE}",status="pending"\\} [3-9]`,
      ),
    );
  });

  it('reprocesses an entry with an edited payload: the record lands in the target, and the audit trail says so', async () => {
    const entry = await entryOf('2');
    const { body: detail } = await app
      .as('operator')
      .get(`${ADMIN}/object-store/${entry.id}`)
      .expect(200);
    const edited = {
      ...detail.payload,
      data: { ...detail.payload.data, email: 'bob@example.com' },
    };
    const queued = await app
      .as('operator')
      .post(`${ADMIN}/object-store/${entry.id}/reprocess`)
      .send({ payload: edited })
      .expect(200);
    expect(queued.body).toMatchObject({ status: 'pending', retriable: true, payload: edited });

    const runs = await app.as('operator').post(`${ADMIN}/reprocessing/run`).send({}).expect(200);
    expect(runs.body.map((t: { name: string }) => t.name)).toContain('import-reprocessor');
    expect(runs.body[0].lastRuns[0]).toMatchObject({ trigger: 'manual', outcome: 'succeeded' });

    const landed = await eventually(
      async () => (await targetRows()).find((r) => r.record_key === '2'),
      20_000,
      'record 2 in the target',
    );
    expect(landed.email).toBe('bob@example.com');
    await eventually(
      async () =>
        (await app.app.get(ObjectStore).get(IMPORT_RECORDS_STORE, `${importId}/2`))?.status ===
        'done',
    );
    const audit = await rows<{ action: string; target_id: string; actor: string; outcome: string }>(
      app.app,
      'admin_audit',
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'object-store.reprocess',
        target_id: entry.id,
        actor: 'tester-operator',
        outcome: 'succeeded',
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'reprocessing.run', outcome: 'succeeded' }),
    );

    // Done now: it can be neither reprocessed nor discarded again.
    const again = await app
      .as('operator')
      .post(`${ADMIN}/object-store/${entry.id}/reprocess`)
      .send({})
      .expect(409);
    expect(again.body.code).toBe('entry-in-flight');
  });

  it('answers an unknown entry with 404 and one a reprocessor holds with 409, and leaves it held', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const call of [
      app.as('operator').get(`${ADMIN}/object-store/${unknown}`),
      app.as('operator').post(`${ADMIN}/object-store/${unknown}/reprocess`).send({}),
      app.http.post(`${ADMIN}/object-store/${unknown}/discard`),
    ]) {
      const { body } = await call.expect(404);
      expect(body).toMatchObject({
        code: 'entry-not-found',
        detail: `no Object Store entry '${unknown}'`,
      });
    }

    const store = app.app.get(ObjectStore);
    await store.put('admin-spec-held', [
      {
        key: 'held',
        payload: {},
        error: { code: 'boom', message: 'boom', retriable: true },
        nextAttemptAt: new Date(),
      },
    ]);
    const claim = await store.claimDue('admin-spec-held', { limit: 1, leaseMs: 3_600_000 });
    const held = claim.entries[0]!;
    const reprocess = await app
      .as('operator')
      .post(`${ADMIN}/object-store/${held.id}/reprocess`)
      .send({})
      .expect(409);
    expect(reprocess.body).toMatchObject({
      code: 'entry-in-flight',
      detail: `cannot reprocess entry '${held.id}' while it is held by a reprocessor`,
    });
    const discard = await app.http.post(`${ADMIN}/object-store/${held.id}/discard`).expect(409);
    expect(discard.body.detail).toBe(
      `cannot discard entry '${held.id}' while it is held by a reprocessor`,
    );
    expect(await store.get('admin-spec-held', 'held')).toMatchObject({
      status: 'leased',
      leaseOwner: claim.owner,
    });
  });

  it('discards one entry, then the rest in bulk, and shows the schedule with its last runs', async () => {
    const three = await entryOf('3');
    await app.as('operator').post(`${ADMIN}/object-store/${three.id}/discard`).expect(403);
    const discarded = await app.http.post(`${ADMIN}/object-store/${three.id}/discard`).expect(200);
    expect(discarded.body).toMatchObject({
      status: 'dead',
      errorCode: 'discarded',
      lastError: 'discarded by tester-admin',
    });

    await app.http.post(`${ADMIN}/object-store/bulk/discard`).send({ filter: {} }).expect(400);
    const bulk = await app.http.post(`${ADMIN}/object-store/bulk/discard`).send({
      filter: {
        store: IMPORT_RECORDS_STORE,
        keyPrefix: `${importId}/`,
        errorCode: 'invalid-record',
      },
    });
    expect(bulk.status, bulk.text).toBe(200);
    expect(bulk.body).toEqual({ affected: 1 });
    expect((await entryOf('4')).errorCode).toBe('discarded');
    expect((await targetRows()).map((r) => r.record_key).sort()).toEqual(['1', '2']);

    const requeued = await app
      .as('operator')
      .post(`${ADMIN}/object-store/bulk/reprocess`)
      .send({ filter: { store: 'no-such-store' } })
      .expect(200);
    expect(requeued.body).toEqual({ affected: 0 });

    const { body: schedule } = await app.as('operator').get(`${ADMIN}/reprocessing`).expect(200);
    const reprocessor = schedule.find((t: { name: string }) => t.name === 'import-reprocessor');
    expect(reprocessor).toMatchObject({ everyMs: app.config.importFlow.reprocess.intervalMs });
    expect(reprocessor.lastRuns.length).toBeGreaterThan(0);
    expect(reprocessor.lastRuns.some((r: { trigger: string }) => r.trigger === 'manual')).toBe(
      true,
    );
  });
});
