import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import { IMPORT_RECORDS_STORE } from '../src/pipelines/import-flow/stored-record.js';
import { rows } from './support/app-data.js';
import { startOperatorImportApp } from './support/operator-import-app.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, type TestApp } from './support/test-app.js';

const ADMIN = '/api/v1/admin';

describe.each(profiles)(
  'an operator reviving a dead import record on the %s profile',
  (profileName) => {
    let profile: ProfileResources;
    let app: TestApp;

    beforeAll(async () => {
      profile = await prepareProfile(profileName);
      app = await startOperatorImportApp(profile, 'revival', [
        { id: 71, name: 'Eve', email: 'eve@example.com', amount: 5 },
        { id: 72, name: 'Fay', email: 'no-address', amount: 6 },
      ]);
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
    });

    const progress = async (id: string) =>
      (await app.as('integration').get(`/api/v1/imports/${id}`).expect(200)).body;
    const target = async (key: string) =>
      (await rows<{ record_key: string; email: string }>(app.app, 'import_target_records')).find(
        (r) => r.record_key === key,
      );

    it('sends the corrected record to the target and moves it from dead to succeeded in the import counts', async () => {
      const importId = (
        await app.as('integration').post('/api/v1/imports').send({ source: 'revival' }).expect(202)
      ).body.id as string;
      const store = app.app.get(ObjectStore);
      await eventually(
        async () => (await store.get(IMPORT_RECORDS_STORE, `${importId}/72`))?.status === 'pending',
        30_000,
        'the invalid record kept',
      );

      // Invalid data is not retried: the reprocessor declares it dead at once.
      await app.as('operator').post(`${ADMIN}/reprocessing/run`).send({}).expect(200);
      const dead = await eventually(
        async () => {
          const p = await progress(importId);
          return p.status === 'completed-with-errors' && p;
        },
        30_000,
        'the import to complete with errors',
      );
      expect(dead.counts).toMatchObject({ dead: 1, succeededAfterRetry: 0 });
      const entry = (await store.get(IMPORT_RECORDS_STORE, `${importId}/72`))!;
      expect(entry.status).toBe('dead');

      // The operator corrects the address and sends the record back.
      const payload = {
        ...(entry.payload as Record<string, unknown>),
        data: { ...(entry.payload as { data: object }).data, email: 'fay@example.com' },
      };
      await app
        .as('operator')
        .post(`${ADMIN}/object-store/${entry.id}/reprocess`)
        .send({ payload })
        .expect(200);
      await app.as('operator').post(`${ADMIN}/reprocessing/run`).send({}).expect(200);

      const landed = await eventually(
        () => target('72'),
        30_000,
        'the revived record in the target',
      );
      expect(landed.email).toBe('fay@example.com');
      const revived = await eventually(
        async () => {
          const p = await progress(importId);
          return p.status === 'completed' && p;
        },
        30_000,
        'the import to complete without errors',
      );
      expect(revived.counts).toMatchObject({ dead: 0, succeededAfterRetry: 1 });
      await eventually(
        async () => (await store.get(IMPORT_RECORDS_STORE, `${importId}/72`))?.status === 'done',
      );
    });
  },
);
