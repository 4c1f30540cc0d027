import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorStore } from '../src/platform/error-store/error-store.js';
import { type FailingUpdates, failingUpdates } from './support/failing-updates.js';
import { startOperatorImportApp } from './support/operator-import-app.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, type TestApp } from './support/test-app.js';

const ADMIN = '/api/v1/admin';
const N = 10;
/** Its state can never be written as succeeded: its batch fails until its event is dead-lettered. */
const POISONED = '4';

interface LetterView {
  id: string;
  reason: string;
  envelope: { payload: { importId: string; key: string } };
}

describe.each(profiles)(
  'import records whose event is dead-lettered, on the %s profile',
  (profileName) => {
    let profile: ProfileResources;
    let app: TestApp;
    let poison: FailingUpdates;

    beforeAll(async () => {
      profile = await prepareProfile(profileName);
      app = await startOperatorImportApp(
        profile,
        'lettered',
        Array.from({ length: N }, (_, i) => ({
          id: i + 1,
          name: `Person ${i + 1}`,
          email: `person${i + 1}@example.com`,
          amount: 10 + i,
        })),
      );
      poison = await failingUpdates(app.app.get(DataSource), {
        name: 'e2e_poisoned_records',
        table: 'import_records',
        keyColumn: 'record_key',
        column: 'state',
        value: 'succeeded',
      });
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
    });

    const progress = async (id: string) =>
      (await app.as('integration').get(`/api/v1/imports/${id}`).expect(200)).body;
    const lettersOf = async (importId: string): Promise<LetterView[]> =>
      (
        (
          await app
            .as('operator')
            .get(`${ADMIN}/dead-letters`)
            .query({ pipeline: 'process' })
            .expect(200)
        ).body as LetterView[]
      ).filter((l) => l.envelope.payload.importId === importId);
    const errorsAbout = async (subject: string) =>
      (
        await app.app.get(ErrorStore).list({ pipeline: 'process' }, { offset: 0, limit: 500 })
      ).items.filter((r) => r.subject === subject);

    it('counts a record whose event ended in the dead letters as dead, lets the import complete, and completes it normally once the letter is replayed', async () => {
      await poison.fail(POISONED);
      const id = (
        await app.as('integration').post('/api/v1/imports').send({ source: 'lettered' }).expect(202)
      ).body.id as string;

      // Dead, not pending for ever: the import completes, with errors, and its counts add up.
      const dead = await eventually(
        async () => {
          const p = await progress(id);
          return p.status !== 'running' && p;
        },
        40_000,
        'the import to settle with the poisoned record dead-lettered',
      );
      expect(dead.status).toBe('completed-with-errors');
      const { counts } = dead;
      expect(counts).toMatchObject({ extracted: N, pending: 0 });
      expect(counts.dead).toBeGreaterThanOrEqual(1);
      expect(counts.processed + counts.dead).toBe(N);
      // Failed at least once: each record whose event was dead-lettered.
      expect(counts.failed).toBe(counts.dead);
      const letters = await lettersOf(id);
      expect(letters.map((l) => l.envelope.payload.key)).toContain(POISONED);
      expect(letters).toHaveLength(counts.dead);
      expect(letters.every((l) => l.reason === 'max-deliveries')).toBe(true);
      const [reported] = await eventually(
        async () => {
          const found = await errorsAbout(`${id}/${POISONED}`);
          return found.length > 0 && found;
        },
        15_000,
        'the error record of the poisoned record',
      );
      expect(reported).toMatchObject({ code: 'object-store-unavailable' });
      expect(reported!.status).not.toBe('resolved');

      // The fault is mended and the operator replays the dead letters: the import completes.
      await poison.heal(POISONED);
      for (const letter of letters)
        await app
          .as('operator')
          .post(`${ADMIN}/dead-letters/${letter.id}/replay`)
          .send({})
          .expect(200);
      const completed = await eventually(
        async () => {
          const p = await progress(id);
          return p.status === 'completed' && p;
        },
        30_000,
        'the import to complete once the dead letters are replayed',
      );
      expect(completed.counts).toEqual({
        ...counts,
        processed: N,
        dead: 0,
        succeededAfterRetry: counts.dead,
      });
      // Its error record is resolved: the record got through after all.
      const resolved = await eventually(
        async () => {
          const found = await errorsAbout(`${id}/${POISONED}`);
          return found.every((r) => r.status === 'resolved') && found;
        },
        15_000,
        'the error record resolved',
      );
      expect(resolved[0]!.note).toBe('resolved: processed after it was given up on');
    });
  },
);
