import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorStore } from '../src/platform/error-store/error-store.js';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import { IMPORT_RECORDS_STORE } from '../src/integrations/import/kernel/stored-record.js';
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
    const errorsAbout = async (importId: string, key: string) =>
      (await app.app.get(ErrorStore).list({}, { offset: 0, limit: 500 })).items.filter(
        (r) => r.context?.importId === importId && r.context?.recordKey === key,
      );
    const target = async (key: string) =>
      (await rows<{ record_key: string; email: string }>(app.app, 'import_target_records')).find(
        (r) => r.record_key === key,
      );

    it('sends the corrected record to the target, moves it from dead to succeeded in the import counts, and resolves its error record', async () => {
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
      await eventually(
        async () => (await errorsAbout(importId, '72')).length === 1,
        15_000,
        'the error record of the dead record',
      );
      expect((await errorsAbout(importId, '72'))[0]!.status).not.toBe('resolved');

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
      // Its error record (reprocess gave it up) is resolved: the operator's retry succeeded.
      const [record] = await eventually(
        async () => {
          const found = await errorsAbout(importId, '72');
          return found.length === 1 && found[0]!.status === 'resolved' && found;
        },
        15_000,
        'the error record of the revived record resolved',
      );
      expect(record).toMatchObject({
        pipeline: 'reprocess',
        code: 'invalid-record',
        subject: `${importId}/72`,
      });
    });
  },
);
