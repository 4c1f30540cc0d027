import type { Page, Response } from 'playwright-core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrations } from '../src/integrations/index.js';
import { TestBrowser } from './harness/browser.js';
import { ReverseProxy } from './harness/reverse-proxy.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { addCard, purchaseRequest } from './support/purchases.js';
import { startTestApp, type TestApp, testToken } from './support/test-app.js';

/**
 * A person using Swagger UI through the corporate gateway: Chromium opens `/integration/docs`
 * through nginx, authorizes, reloads, and runs "Try it out" on an admin read and a purchase.
 */
describe.each(profiles)('Swagger UI in a browser behind the gateway on the %s profile', (name) => {
  let profile: ProfileResources;
  let app: TestApp;
  let proxy: ReverseProxy;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    profile = await prepareProfile(name);
    app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: { http: { trustedProxies: ['127.0.0.1', '::ffff:127.0.0.1'] } },
    });
    await app.app.listen(0, '127.0.0.1');
    proxy = await ReverseProxy.start({ upstream: await app.app.getUrl(), prefix: '/integration' });
    browser = await TestBrowser.launch();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await app?.close();
    await profile?.dispose();
  });

  /**
   * Opens an operation, reloads its deep link (the same operation comes back open), runs
   * "Try it out" and returns the app's answer as the browser received it.
   */
  async function tryItOut(operationId: string, fill?: () => Promise<void>): Promise<Response> {
    const operation = page.locator(`.opblock[id$="-${operationId}"]`);
    await page.goto(`${proxy.url}/docs`);
    await operation.locator('.opblock-summary').first().click();
    await expect.poll(() => page.url()).toContain(operationId);
    await page.reload();
    await expect.poll(() => operation.getAttribute('class')).toContain('is-open');
    await operation.locator('.try-out__btn').click();
    if (fill) await fill();
    const answered = page.waitForResponse((r) => r.url().startsWith(`${proxy.url}/api/`));
    await operation.locator('.execute').click();
    const response = await answered;
    // What the person sees is the app's answer.
    await expect
      .poll(() =>
        operation
          .locator('.live-responses-table tr.response .response-col_status')
          .first()
          .innerText(),
      )
      .toContain(String(response.status()));
    return response;
  }

  it('loads titled through the prefix and keeps the authorization across reloads', async () => {
    await page.goto(`${proxy.url}/docs`);
    expect(await page.title()).toBe('Tributary API');
    await page.locator('.auth-wrapper .authorize').click();
    const bearer = page.locator('.auth-container').filter({ hasText: 'bearer' });
    await bearer.locator('input').fill(await testToken(['admin']));
    await bearer.locator('button.authorize').click();
    await page.locator('.close-modal').click();
    await page.reload();
    await expect.poll(() => page.locator('.auth-wrapper .authorize.locked').count()).toBe(1);
  });

  it('runs an admin read through the gateway: 200 from the app', async () => {
    const response = await tryItOut('PipelinesController_list_v1');
    expect(response.url()).toBe(`${proxy.url}/api/v1/admin/pipelines`);
    expect(response.status()).toBe(200);
    // The app answered (nginx's own 404 would carry no correlation id).
    expect(response.headers()['x-correlation-id']).toBeDefined();
    expect(Array.isArray(await response.json())).toBe(true);
  });

  it('makes a purchase through the gateway with no shared Idempotency-Key: 201', async () => {
    // The real profile has no demo cards: the person types a purchase on a card of their own.
    const card = await addCard(app.app.get(DataSource));
    const response = await tryItOut('PurchasesController_create_v1', async () => {
      const key = page.locator('tr[data-param-name="Idempotency-Key"] input');
      expect(await key.inputValue()).toBe('');
      await page.locator('.body-param__text').fill(JSON.stringify(purchaseRequest(card)));
    });
    expect(response.url()).toBe(`${proxy.url}/api/v1/purchases`);
    expect(response.status()).toBe(201);
    expect(response.headers()['location']).toMatch(
      new RegExp(`^${proxy.url}/api/v1/purchases/[0-9a-f-]{36}$`),
    );
  });
});
