import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './harness/browser.js';
import { buildConsole, seriousViolations, signIn, watchConsole } from './support/console.js';
import { type PersonRow, startOperatorImportApp } from './support/operator-import-app.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, type TestApp, testToken } from './support/test-app.js';

const people: PersonRow[] = Array.from({ length: 12 }, (_, n) => ({
  id: n + 1,
  name: `Person ${n + 1}`,
  email: `p${n + 1}@example.com`,
  amount: 10 + n,
}));

/**
 * The import flow contributes its own admin routes (operators read imports) and its own
 * console page (its imports with their counts); admin and the platform name no integration.
 */
describe.each(profiles)(
  'the imports in the admin API and the console on the %s profile',
  (name) => {
    let profile: ProfileResources;
    let app: TestApp;

    beforeAll(async () => {
      await buildConsole();
      profile = await prepareProfile(name);
      app = await startOperatorImportApp(profile, 'staff', people);
      await app.app.listen(0, '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
    });

    it('lets an operator list and read imports, not an integration client', async () => {
      const started = await app.http.post('/api/v1/imports').send({ source: 'staff' }).expect(202);
      const done = await eventually(
        async () => {
          const one = await app.as('operator').get(`/api/v1/admin/imports/${started.body.id}`);
          return one.status === 200 && one.body.status === 'completed' && one.body;
        },
        30_000,
        'the import completed',
      );
      expect(done.counts).toMatchObject({ extracted: 12, processed: 12, dead: 0, pending: 0 });
      const list = await app.as('operator').get('/api/v1/admin/imports?source=staff').expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(started.body.id);
      expect(list.body.total).toBeGreaterThanOrEqual(1);
      await app.as('integration').get('/api/v1/admin/imports').expect(403);
      await app
        .as('operator')
        .get('/api/v1/admin/imports/00000000-0000-4000-8000-000000000000')
        .expect(404);
      await app.as('operator').get('/api/v1/admin/imports?source=../x').expect(400);
      for (const limit of ['101', '0', '-1', '1.5', 'x'])
        await app.as('operator').get(`/api/v1/admin/imports?limit=${limit}`).expect(400);
    });

    it('shows the imports page the integration contributed: an admin starts one and watches it complete', async () => {
      const browser = await TestBrowser.launch();
      try {
        const page = await browser.newPage();
        const errors = watchConsole(page);
        await signIn(page, `${await app.app.getUrl()}/console`, await testToken(['admin']), errors);
        await page.getByRole('link', { name: 'Imports' }).click();
        await page.getByLabel('Source to import').fill('staff');
        const before = (await app.as('operator').get('/api/v1/admin/imports').expect(200)).body
          .total as number;
        await page.getByRole('button', { name: 'Start import' }).click();
        await expect
          .poll(() => page.locator('tr[data-import]').count(), { timeout: 10_000 })
          .toBe(before + 1);
        const newest = page.locator('tr[data-import]').first();
        await expect
          .poll(() => newest.locator('td[data-status]').innerText(), { timeout: 30_000 })
          .toBe('completed');
        expect(await newest.locator('td').nth(3).innerText()).toBe('12');
        expect(await seriousViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  },
);
