import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parcelCatalogue } from './fixtures/admin/parcels.js';
import { answerConfirmation, buildConsole, inConsole } from './support/console.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const WIDER = `[...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth)
  .slice(0, 5)
  .map((e) => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))`;

/** What has the keyboard's focus: its role-ish tag and its text. */
const focused = (page: Page) =>
  page.evaluate(
    'document.activeElement ? `${document.activeElement.tagName} ${document.activeElement.textContent?.trim()}` : ""',
  ) as Promise<string>;

/** Presses Tab (Shift+Tab when `back`) until `target` has the focus; fails after 80 stops. */
async function tabTo(page: Page, target: string, back = false): Promise<void> {
  const seen: string[] = [];
  for (let stop = 0; stop < 80; stop++) {
    const now = await focused(page);
    if (now === target) return;
    seen.push(now);
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`never reached ${target} by Tab; went through ${seen.join(' | ')}`);
}

/**
 * Issue 14, item 4: the console by keyboard only, and at a phone's width. The confirmation is
 * the page's own modal dialog, so a keyboard answers it (the browser's own cannot be tested
 * so, nor styled).
 */
describe.each(profiles)(
  'the console by keyboard and at a narrow width on the %s profile',
  (name) => {
    let profile: ProfileResources;
    let app: TestApp;

    beforeAll(async () => {
      await buildConsole();
      profile = await prepareProfile(name);
      app = await startTestApp(profile, { catalogue: parcelCatalogue });
      await app.app.listen(0, '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
    });

    const state = (page: Page) =>
      page.locator('tr[data-pipeline="sorting"] td[data-state]').innerText();

    it('is used with the keyboard alone: navigation, an action, its confirmation, Escape', async () => {
      await inConsole(app, ['admin'], async (page) => {
        await page.locator('body').focus();
        // The skip link comes first, then the navigation.
        await page.keyboard.press('Tab');
        expect(await focused(page)).toBe('A Skip to content');
        await tabTo(page, 'A Audit');
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
        await tabTo(page, 'A Overview', true);
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
        await expect.poll(() => state(page)).toBe('running');

        await tabTo(page, 'BUTTON Pause sorting');
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog');
        await dialog.waitFor();
        // The focus is in the dialog, on the safe answer; Escape cancels and gives it back.
        expect(await focused(page)).toBe('BUTTON Cancel');
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        await expect.poll(() => focused(page)).toBe('BUTTON Pause sorting');
        expect(await state(page)).toBe('running');

        await page.keyboard.press('Enter');
        await dialog.waitFor();
        await page.keyboard.press('Tab');
        expect(await focused(page)).toBe('BUTTON Yes, pause sorting');
        await page.keyboard.press('Enter');
        await expect.poll(() => state(page)).toBe('paused');
        // The same button, now Resume, keeps the focus; resuming asks nothing.
        await expect.poll(() => focused(page)).toBe('BUTTON Resume sorting');
        await page.keyboard.press('Enter');
        await expect.poll(() => state(page)).toBe('running');
      });
    });

    it('fits a 390×844 screen: no sideways page scroll, the navigation and actions usable', async () => {
      await inConsole(app, ['admin'], async (page) => {
        await page.setViewportSize({ width: 390, height: 844 });
        const nav = page.getByRole('navigation', { name: 'Console' });
        for (const title of [
          'Overview',
          'Dead letters',
          'Object Store',
          'Errors',
          'Scheduled tasks',
          'Audit',
        ]) {
          const link = nav.getByRole('link', { name: title });
          const box = (await link.boundingBox())!;
          expect(box.x, title).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width, title).toBeLessThanOrEqual(390);
          await link.click();
          await page.getByRole('heading', { level: 1, name: title }).waitFor();
          await page.waitForLoadState('networkidle');
          const widths = (await page.evaluate(
            '[document.documentElement.scrollWidth, window.innerWidth]',
          )) as [number, number];
          // On failure, the elements reaching beyond the screen say what to fix.
          const beyond = widths[0] > widths[1] ? await page.evaluate(WIDER) : [];
          expect(widths[0], `page width of ${title}: ${String(beyond)}`).toBeLessThanOrEqual(
            widths[1],
          );
        }
        await nav.getByRole('link', { name: 'Overview' }).click();
        await expect.poll(() => state(page)).toBe('running');
        const pause = page.getByRole('button', { name: 'Pause sorting' });
        await pause.scrollIntoViewIfNeeded();
        const box = (await pause.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(390);
        await pause.click();
        const dialog = (await page.getByRole('dialog').boundingBox())!;
        expect(dialog.x).toBeGreaterThanOrEqual(0);
        expect(dialog.x + dialog.width).toBeLessThanOrEqual(390);
        await answerConfirmation(page, true);
        await expect.poll(() => state(page)).toBe('paused');
        await page.getByRole('button', { name: 'Resume sorting' }).click();
        await expect.poll(() => state(page)).toBe('running');
      });
    });
  },
);
