import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, inConsole } from './support/console.js';
import { type PersonRow, startOperatorImportApp } from './support/operator-import-app.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, type TestApp } from './support/test-app.js';

/** The parts of the SVG DOM the drawing's check reads (the specs compile without DOM types). */
interface Svg {
  viewBox: { baseVal: { width: number; height: number } };
}
interface SvgBox {
  getBBox(): { x: number; y: number; width: number; height: number };
}

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

    it('draws the topology of the embedded default: every pipeline and event, every arrow', async () => {
      const topology = (await app.as('operator').get('/api/v1/admin/topology').expect(200))
        .body as {
        pipelines: { name: string }[];
        events: { name: string; publishers: string[]; subscribers: string[] }[];
      };
      expect(topology.pipelines.length).toBeGreaterThan(1);
      await inConsole(app, ['operator'], async (page) => {
        const drawing = page.getByRole('img', { name: /^Topology/ });
        await drawing.waitFor();
        const drawn = async (kind: string) =>
          (await drawing
            .locator(`[data-node="${kind}"]`)
            .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-name')))) as string[];
        const pipelines = new Set([
          ...topology.pipelines.map((p) => p.name),
          ...topology.events.flatMap((e) => [...e.publishers, ...e.subscribers]),
        ]);
        expect((await drawn('pipeline')).sort()).toEqual([...pipelines].sort());
        expect((await drawn('event')).sort()).toEqual(topology.events.map((e) => e.name).sort());
        const arrows = topology.events.flatMap((e) => [
          ...e.publishers.map((p) => `${p} → ${e.name}`),
          ...e.subscribers.map((p) => `${e.name} → ${p}`),
        ]);
        const edges = (await drawing
          .locator('[data-edge]')
          .evaluateAll((paths) => paths.map((p) => p.getAttribute('data-edge')))) as string[];
        expect(edges.sort()).toEqual(arrows.sort());
        // Every box is inside the drawing's own area: none is cut off.
        const overflow = await drawing.evaluate((svg) => {
          const box = (svg as unknown as Svg).viewBox.baseVal;
          return [...svg.querySelectorAll('rect')].filter((r) => {
            const b = (r as unknown as SvgBox).getBBox();
            return b.x < 0 || b.y < 0 || b.x + b.width > box.width || b.y + b.height > box.height;
          }).length;
        });
        expect(overflow).toBe(0);
      });
    });

    it('shows the imports page the integration contributed: an admin starts one and watches it complete', async () => {
      await inConsole(app, ['admin'], async (page) => {
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
      });
    });
  },
);
