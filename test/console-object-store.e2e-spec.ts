import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import type { DeepPartial } from '../src/platform/config/index.js';
import { IMPORT_RECORDS_STORE } from '../src/integrations/import/kernel/stored-record.js';
import { integrations } from '../src/integrations/index.js';
import { seedPeople } from './fixtures/import-flow/people-source.js';
import { startTargetPeer, type TargetPeer } from './fixtures/import-flow/target-peer.js';
import { answerConfirmation, buildConsole, inConsole } from './support/console.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const FAILING = ['2', '5', '7'];

/**
 * Issue 14, item 5: an import's records fail into the Object Store (the target service is
 * down for them); an operator, in the console, filters the Object Store to that import's
 * pending entries, reprocesses them all at once, and sees the import complete on its page.
 */
describe.each(profiles)(
  'an operator bulk-reprocesses a failed import in the console on the %s profile',
  (profileName) => {
    let profile: ProfileResources;
    let target: TargetPeer;
    let app: TestApp;

    beforeAll(async () => {
      await buildConsole();
      profile = await prepareProfile(profileName);
      target = await startTargetPeer();
      const overrides = {
        importFlow: {
          sources: {
            bulkfix: {
              type: 'sql',
              connection: 'default',
              query: 'SELECT id, name, email, amount FROM bulkfix_people',
              keyColumn: 'id',
              pageSize: 10,
            },
          },
          target: { table: 'import_target_records', httpUrl: target.url },
          // The sweep looks every second, but a failed record is due again only in an hour:
          // it stays pending until the operator reprocesses it (which makes it due now).
          reprocess: { intervalMs: 1_000, maxAttempts: 50, baseDelayMs: 3_600_000 },
        },
      } as DeepPartial<AppConfig>;
      app = await startTestApp(profile, { catalogue: integrations, overrides });
      await seedPeople(app, 'bulkfix_people', 9);
      await app.app.listen(0, '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
      await target?.close();
    });

    const progress = async (id: string) =>
      (await app.as('operator').get(`/api/v1/admin/imports/${id}`).expect(200)).body;

    it('filters the import’s pending entries, reprocesses them in bulk, and the import completes', async () => {
      for (const key of FAILING) target.failPermanently(`bulkfix:${key}`, 503, { message: 'down' });
      const id = (
        await app.as('integration').post('/api/v1/imports').send({ source: 'bulkfix' }).expect(202)
      ).body.id as string;
      await eventually(
        async () => {
          const p = await progress(id);
          return p.extraction === 'done' && p.counts.pending === FAILING.length && p;
        },
        40_000,
        'the import with its failing records pending',
      );
      expect((await progress(id)).status).toBe('running');

      await inConsole(app, ['operator'], async (page) => {
        await page.getByRole('link', { name: 'Object Store' }).click();
        await page.getByLabel('Store').fill(IMPORT_RECORDS_STORE);
        await page.getByLabel('Status').selectOption('pending');
        await page.getByLabel('Key prefix').fill(`${id}/`);
        const rows = page.locator('tr[data-entry]');
        await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(FAILING.length);

        // The service is back; the operator reprocesses every matching entry, after confirming.
        target.reset();
        await page.getByRole('button', { name: 'Reprocess all matching' }).click();
        expect(await answerConfirmation(page, true)).toContain(`(${FAILING.length})`);
        // Reprocessed, they leave the pending filter.
        await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(0);

        await page.getByRole('link', { name: 'Imports' }).click();
        const row = page.locator(`tr[data-import="${id}"]`);
        await expect
          .poll(() => row.locator('td[data-status]').innerText(), { timeout: 30_000 })
          .toBe('completed');
        const cells = await row.locator('td').allInnerTexts();
        // extracted, processed, failed, dead, pending
        expect(cells.slice(3)).toEqual(['9', '9', String(FAILING.length), '0', '0']);
        for (const key of FAILING) expect(target.accepted.get(`bulkfix:${key}`)).toBe(1);
      });
    });
  },
);
