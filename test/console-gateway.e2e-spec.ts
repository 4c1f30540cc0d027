import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/index.js';
import { parcelCatalogue } from './fixtures/admin/parcels.js';
import { TestBrowser } from './harness/browser.js';
import { ReverseProxy } from './harness/reverse-proxy.js';
import {
  answerConfirmation,
  buildConsole,
  seriousViolations,
  watchConsole,
} from './support/console.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The console behind the corporate gateway: nginx publishes the app under /integration and
 * asserts the user's identity in headers. The page needs no sign-in and works under the
 * prefix; a write the gateway identifies must carry the console's header (CSRF), which the
 * page sends and a forged cross-site request cannot.
 */
describe.each(profiles)('the console behind the gateway on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let proxy: ReverseProxy;
  let direct: string;

  beforeAll(async () => {
    await buildConsole();
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: parcelCatalogue,
      overrides: {
        http: { trustedProxies: ['127.0.0.1', '::ffff:127.0.0.1'] },
        auth: { gateway: { enabled: true } },
      },
    });
    await app.app.listen(0, '127.0.0.1');
    direct = await app.app.getUrl();
    proxy = await ReverseProxy.start({
      upstream: direct,
      prefix: '/integration',
      identity: { 'X-Authenticated-User': 'ada', 'X-Authenticated-Roles': 'admin' },
    });
  });
  afterAll(async () => {
    await proxy?.stop();
    await app?.close();
    await profile?.dispose();
  });

  const pause = (headers: Record<string, string>) =>
    fetch(`${proxy.url}/api/v1/admin/pipelines/sorting/pause`, { method: 'POST', headers });

  it('says who the gateway asserted: GET /admin/me', async () => {
    const me = await fetch(`${proxy.url}/api/v1/admin/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      subject: 'ada',
      roles: ['admin'],
      method: 'gateway',
      admin: true,
    });
  });

  it('refuses a write identified by the gateway without the console header: 403 problem', async () => {
    const refused = await pause({});
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await refused.json()) as { code: string; detail: string };
    expect(problem.code).toBe('csrf-header-missing');
    expect(problem.detail).toContain('x-requested-with: tributary-console');
    // Another value is no better.
    expect((await pause({ 'X-Requested-With': 'XMLHttpRequest' })).status).toBe(403);
    expect(await app.app.get(EventBus).pausedPipelines()).not.toContain('sorting');
    // With the header it passes; a bearer token needs none (the browser never sends it by itself).
    expect((await pause({ 'X-Requested-With': 'tributary-console' })).status).toBe(200);
    await app.http.post('/api/v1/admin/pipelines/sorting/resume').expect(200);
    expect(await app.app.get(EventBus).pausedPipelines()).not.toContain('sorting');
  });

  it('serves the page with a self-only policy that plain HTTP can load', async () => {
    const page = await fetch(`${proxy.url}/console/`);
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('upgrade-insecure-requests');
    const html = await page.text();
    // Relative URLs only: under the prefix they stay under it.
    expect(html).toContain('<meta name="tributary-api" content="../api/v1/" />');
    expect(html).not.toMatch(/(src|href)="\//);
    // The bare path redirects to the folder, relatively (nginx's own 301 would lose nothing either).
    const bare = await fetch(`${direct}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('console/');
  });

  it('works through the prefix with no sign-in, and its writes carry the header', async () => {
    const browser = await TestBrowser.launch();
    try {
      const page = await browser.newPage();
      const errors = watchConsole(page);
      await page.goto(`${proxy.url}/console`);
      expect(page.url()).toBe(`${proxy.url}/console/`);
      await expect
        .poll(() => page.getByTestId('who').innerText())
        .toContain('ada (admin, gateway)');
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      const state = page.locator('tr[data-pipeline="sorting"] td[data-state]');
      await expect.poll(() => state.innerText()).toBe('running');
      const paused = page.waitForResponse((r) => r.url().endsWith('/sorting/pause'));
      await page.getByRole('button', { name: 'Pause sorting' }).click();
      await answerConfirmation(page, true);
      const response = await paused;
      expect(response.url()).toBe(`${proxy.url}/api/v1/admin/pipelines/sorting/pause`);
      expect(response.status()).toBe(200);
      await expect.poll(() => state.innerText()).toBe('paused');
      await page.getByRole('button', { name: 'Resume sorting' }).click();
      await expect.poll(() => state.innerText()).toBe('running');
      expect(await seriousViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('is a plain 404 when console.enabled is false', async () => {
    const off = await startTestApp(profile, {
      catalogue: [],
      overrides: { console: { enabled: false } },
    });
    try {
      await off.anonymous.get('/console/').expect(404);
    } finally {
      await off.close();
    }
  });
});
