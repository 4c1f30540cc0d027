/**
 * npm run console:screenshots — pictures of the operator console's main pages at 1280×800 in
 * docs/console/*.png, for docs/console.md. Not a test: it starts the real app on a throwaway
 * embedded database with the whole catalogue, runs the sample import and a purchase (whose
 * bank notification fails, there being no notification service: errors to show), puts a few
 * refused records in the Object Store, then opens each page in Debian's Chromium and saves what it shows.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap.js';
import { loadAppConfig } from '../src/config/app-config.js';
import { integrations } from '../src/integrations/index.js';
import { ObjectStore } from '../src/platform/object-store/index.js';
import { TestBrowser } from '../test/harness/browser.js';
import { addCard, purchaseRequest } from '../test/support/purchases.js';

const PAGES = [
  ['overview', 'Overview'],
  ['dead-letters', 'Dead letters'],
  ['object-store', 'Object Store'],
  ['errors', 'Errors'],
  ['imports', 'Imports'],
  ['tasks', 'Scheduled tasks'],
  ['audit', 'Audit'],
] as const;

const OUT = resolve(import.meta.dirname, '../docs/console');
const secret = 'screenshots-only-secret-0123456789abcdef';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-screenshots-'));
  const config = loadAppConfig({
    env: { NODE_ENV: 'test', LOG_LEVEL: 'error' },
    configDir: resolve(import.meta.dirname, '../config'),
    overrides: {
      database: { sqlitePath: join(dir, 'console.sqlite') },
      auth: { jwt: { secret } },
      http: { port: 0 },
    },
  });
  const app = await createApp(config, integrations, { logger: ['error'] });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  const token = await new SignJWT({ roles: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ada@example.com')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
  const call = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  await call('/api/v1/imports', { source: 'sample' });
  const card = await addCard(app.get(DataSource));
  await fetch(`${url}/api/v1/purchases`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': crypto.randomUUID(),
    },
    body: JSON.stringify(purchaseRequest(card)),
  });
  // Records a target refused, as the process pipeline keeps them: the Object Store's picture.
  await app.get(ObjectStore).put(
    'import-records',
    [7, 12, 19].map((n) => ({
      key: `sample/${n}`,
      payload: { source: 'sample', key: String(n), data: { email: `person${n}@example` } },
      error: { code: 'invalid-record', message: 'email must be an email', retriable: false },
      nextAttemptAt: new Date(Date.now() + 3_600_000),
    })),
  );
  await call('/api/v1/admin/pipelines/reprocess/pause', {});
  await new Promise((r) => setTimeout(r, 5000));

  const browser = await TestBrowser.launch();
  try {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${url}/console/`);
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const [route, title] of PAGES) {
      await page.getByRole('link', { name: title, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.waitForTimeout(2500); // one poll: the page shows its data
      const opener = page.getByRole('button', { name: /^Open / }).first();
      if (route !== 'overview' && (await opener.count()) > 0) await opener.click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(OUT, `${route}.png`) });
      console.log(`docs/console/${route}.png`);
      if (route === 'overview') {
        // The drawing is below the table: a picture of its own, in a window wide enough for all of it.
        const drawing = page.getByRole('img', { name: /^Topology/ });
        const width = Math.ceil((await drawing.boundingBox())!.width) + 80;
        await page.setViewportSize({ width: Math.max(1280, width), height: 800 });
        await drawing.screenshot({ path: join(OUT, 'topology.png') });
        await page.setViewportSize({ width: 1280, height: 800 });
        console.log('docs/console/topology.png');
      }
    }
  } finally {
    await browser.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
