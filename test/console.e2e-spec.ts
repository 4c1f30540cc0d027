import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/index.js';
import { parcelCatalogue, SortedParcels } from './fixtures/admin/parcels.js';
import { TestBrowser } from './harness/browser.js';
import { rows, seedError } from './support/app-data.js';
import {
  answerConfirmation,
  buildConsole,
  seriousViolations,
  signIn,
  watchConsole,
} from './support/console.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp, testToken } from './support/test-app.js';

/**
 * The operator console in Chromium against the real app: a person signs in with a token, then
 * replays a dead letter with an edited payload, pauses and resumes a pipeline, resolves an
 * error; an operator sees no admin action; every page passes axe-core and logs no error.
 */
describe.each(profiles)('the operator console on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let browser: TestBrowser;
  let consoleUrl: string;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    await buildConsole();
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, { catalogue: parcelCatalogue });
    await app.app.listen(0, '127.0.0.1');
    consoleUrl = `${await app.app.getUrl()}/console`;
    browser = await TestBrowser.launch();
    page = await browser.newPage();
    errors = watchConsole(page);
    await signIn(page, consoleUrl, await testToken(['admin'], { sub: 'ada' }), errors);
  });
  afterEach(() => {
    expect(errors, 'what the page logged').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await profile?.dispose();
  });

  const open = async (route: string) => {
    await page.getByRole('link', { name: route }).click();
    await page.getByRole('heading', { level: 1, name: route }).waitFor();
  };
  const deadLetterOf = (parcelId: string) =>
    eventually(
      async () =>
        (await app.app.get(EventBus).listDeadLetters(100)).find((l) =>
          JSON.stringify(l.envelope).includes(`"${parcelId}"`),
        ),
      10_000,
      `the dead letter of ${parcelId}`,
    );
  /** A parcel its handler refuses: the dead letter it becomes. */
  const deadParcel = async (parcelId: string) => {
    await app
      .as('integration')
      .post('/api/v1/test/parcels')
      .send({ parcelId, weight: 5, fail: true })
      .expect(201);
    return deadLetterOf(parcelId);
  };

  it('says who is signed in and shows the pipelines and the topology', async () => {
    await expect.poll(() => page.getByTestId('who').innerText()).toContain('ada (admin, jwt)');
    const sorting = page.locator('tr[data-pipeline="sorting"]');
    await expect.poll(() => sorting.locator('td').first().innerText()).toBe('subscriber');
    await expect
      .poll(() => page.locator('.topology').innerText())
      .toContain('parcels → parcel.received → sorting');
  });

  it('replays a dead letter with an edited payload: the handler gets the edited payload', async () => {
    const parcelId = `console-${profileName}`;
    const letter = await deadParcel(parcelId);
    await open('Dead letters');
    await page.getByLabel('Pipeline').fill('sorting');
    await page.getByRole('button', { name: `Open ${letter.id}` }).click();
    const editor = page.getByLabel('Payload to replay');
    await expect.poll(() => editor.inputValue()).toContain(parcelId);
    await editor.fill(JSON.stringify({ parcelId, weight: 7, fail: false }));
    await page.getByRole('button', { name: 'Replay with this payload' }).click();

    const sorted = app.app.get(SortedParcels);
    const delivered = await eventually(
      () => sorted.all.find((e) => e.payload.parcelId === parcelId),
      10_000,
      'the replayed parcel at its handler',
    );
    expect(delivered.payload).toMatchObject({ weight: 7, fail: false });
    // Replayed, it is no longer a dead letter: the list the page polls loses it.
    await expect
      .poll(() => page.locator(`tr[data-dead-letter="${letter.id}"]`).count(), { timeout: 10_000 })
      .toBe(0);
  });

  it('pauses and resumes a pipeline, after confirming: what waits grows, then drains', async () => {
    await open('Overview');
    const state = page.locator('tr[data-pipeline="sorting"] td[data-state]');
    await expect.poll(() => state.innerText()).toBe('running');
    // Dismissed, nothing happens.
    await page.getByRole('button', { name: 'Pause sorting' }).click();
    await answerConfirmation(page, false);
    expect(await state.innerText()).toBe('running');
    await page.getByRole('button', { name: 'Pause sorting' }).click();
    await answerConfirmation(page, true);
    await expect.poll(() => state.innerText()).toBe('paused');
    const bus = app.app.get(EventBus);
    expect(await bus.pausedPipelines()).toContain('sorting');
    // Parcels arriving meanwhile wait: the page shows them wait, then drain after resuming.
    // Waiting: not yet read (lag), or read and not yet handled (pending), as the bus has it.
    const subscription = page.locator(
      'tr[data-pipeline="sorting"] [data-subscription="parcel.received"]',
    );
    const waiting = async () =>
      Number(await subscription.locator('[data-pending]').innerText()) +
      Number(await subscription.locator('[data-lag]').innerText());
    // A parcel at each look: on Redis every process learns of the pause within a second, and
    // a read already waiting may still take one, so the first ones can slip through.
    let sent = 0;
    await expect
      .poll(
        async () => {
          await app
            .as('integration')
            .post('/api/v1/test/parcels')
            .send({ parcelId: `waiting-${profileName}-${++sent}`, weight: sent })
            .expect(201);
          return waiting();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Resume sorting' }).click();
    await expect.poll(() => state.innerText()).toBe('running');
    expect(await bus.pausedPipelines()).not.toContain('sorting');
    await expect.poll(waiting, { timeout: 10_000 }).toBe(0);
    const actions = (await rows<{ action: string; actor: string }>(app.app, 'admin_audit'))
      .filter((r) => r.actor === 'ada')
      .map((r) => r.action);
    expect(actions.filter((a) => a === 'pipeline.pause')).toHaveLength(1);
    expect(actions).toContain('pipeline.resume');
  });

  it('resolves an error with a note', async () => {
    const record = await seedError(app.app, {
      pipeline: 'sorting',
      code: `console-${profileName}`,
    });
    await open('Errors');
    await page.getByRole('button', { name: `Open console-${profileName}` }).click();
    await expect.poll(() => page.locator('[data-detail-status]').innerText()).toBe('open');
    await page.getByLabel('Note').fill('fixed by hand');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.locator('[data-detail-status]').innerText()).toBe('resolved');
    const stored = (
      await rows<{ id: string; status: string; note: string }>(app.app, 'error_records')
    ).find((r) => r.id === record.id);
    expect(stored).toMatchObject({ status: 'resolved', note: 'fixed by hand' });
  });

  it('shows the API problem when an action fails', async () => {
    const parcelId = `gone-${profileName}`;
    const letter = await deadParcel(parcelId);
    await open('Dead letters');
    await page.getByRole('button', { name: `Open ${letter.id}` }).click();
    // Someone else deletes it meanwhile: the replay fails, and the page says how.
    await app.http.delete(`/api/v1/admin/dead-letters/${letter.id}`).expect(204);
    await page.getByRole('button', { name: 'Replay as it was' }).click();
    const problem = page.getByRole('alert');
    await expect.poll(() => problem.innerText()).toMatch(/^404 Not Found/);
    expect(await problem.innerText()).toContain('dead-letter-not-found');
    errors.length = 0; // the browser's own line for that 404 answer
  });

  it.each([
    'Overview',
    'Events',
    'Dead letters',
    'Object Store',
    'Errors',
    'Scheduled tasks',
    'Audit',
  ])('has no serious accessibility violation on %s', async (title) => {
    await open(title);
    await page.waitForLoadState('networkidle');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('says why a token is refused, and forgets it', async () => {
    const tab = await browser.newPage();
    await tab.goto(consoleUrl);
    await tab.getByLabel('Token', { exact: true }).fill('not.a-token');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => tab.getByRole('alert').innerText()).toMatch(/^401 Unauthorized/);
    expect(await tab.evaluate('sessionStorage.length')).toBe(0);
    await tab.close();
  });

  it('publishes a test event, after confirming: its subscriber handles it', async () => {
    const parcelId = `published-${profileName}`;
    await open('Events');
    await expect
      .poll(() => page.locator('tr[data-event="parcel.received"] td').nth(1).innerText())
      .toBe('sorting');
    await page.getByLabel('Event to publish').selectOption('parcel.received');
    await page.getByLabel('Payload to publish').fill(JSON.stringify({ parcelId, weight: 3 }));
    // Cancelled, nothing is published (the count below would be two).
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    expect(await answerConfirmation(page, false)).toContain('parcel.received');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await answerConfirmation(page, true);
    const delivered = await eventually(
      () => app.app.get(SortedParcels).all.find((e) => e.payload.parcelId === parcelId),
      10_000,
      'the published parcel at its handler',
    );
    expect(delivered.payload).toMatchObject({ weight: 3 });
    expect(delivered.source).toBe('admin');
    await page.locator(`[data-published="${delivered.id}"]`).waitFor();
    expect(
      app.app.get(SortedParcels).all.filter((e) => e.payload.parcelId === parcelId),
    ).toHaveLength(1);
  });

  it('shows an operator no admin action', async () => {
    const tab = await browser.newPage();
    const tabErrors = watchConsole(tab);
    await signIn(tab, consoleUrl, await testToken(['operator'], { sub: 'olga' }), tabErrors);
    await tab.getByRole('row').filter({ hasText: 'sorting' }).first().waitFor();
    await expect.poll(() => tab.locator('tr[data-pipeline="sorting"]').count()).toBe(1);
    expect(await tab.getByRole('button', { name: /^(Pause|Resume) / }).count()).toBe(0);
    expect(await tab.getByRole('link', { name: 'Audit' }).count()).toBe(0);
    await tab.getByRole('link', { name: 'Events' }).click();
    await tab.locator('tr[data-event="parcel.received"]').waitFor();
    expect(await tab.getByRole('button', { name: 'Publish', exact: true }).count()).toBe(0);
    // A dead letter opened: replay is there, delete is not.
    await deadParcel(`operator-${profileName}`);
    await tab.getByRole('link', { name: 'Dead letters' }).click();
    await tab
      .getByRole('button', { name: /^Open / })
      .first()
      .click();
    await tab.getByRole('button', { name: 'Replay as it was' }).waitFor();
    expect(await tab.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    // The errors page: no resolve.
    await tab.getByRole('link', { name: 'Errors' }).click();
    await tab
      .getByRole('button', { name: /^Open / })
      .first()
      .click();
    await tab.getByRole('button', { name: 'Send to ITSM again' }).waitFor();
    expect(
      await tab.getByRole('button', { name: /^(Resolve|Open again|Save note)$/ }).count(),
    ).toBe(0);
    expect(tabErrors).toEqual([]);
    await tab.close();
  });
});
