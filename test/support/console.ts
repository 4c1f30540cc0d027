import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { TestBrowser } from '../harness/browser.js';
import type { Role } from '../../src/platform/auth/role.js';
import { type TestApp, testToken } from './test-app.js';

const ROOT = resolve(import.meta.dirname, '../..');
let built: Promise<void> | undefined;

/**
 * Builds the console from its current sources into dist/console, as `npm run build` does
 * (`npm test` builds nothing), once per spec file: the browser specs test this checkout's page.
 */
export function buildConsole(): Promise<void> {
  built ??= promisify(execFile)(
    resolve(ROOT, 'node_modules/.bin/vite'),
    ['build', '--config', 'console/vite.config.ts'],
    { cwd: ROOT, timeout: 120_000 },
  ).then(() => undefined);
  return built;
}

/**
 * What the page says on its console and what it throws, kept for a spec to assert there is
 * none. The browser's own line for a 401 answer (the console asks who is calling before
 * anyone signed in) is the expected start of a sign-in, not an error of the page: `signIn`
 * clears it.
 */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`thrown: ${error.message}`));
  return errors;
}

/** Opens the console at `url` and signs in with a bearer token through its form. */
export async function signIn(page: Page, url: string, token: string, errors: string[]) {
  await page.goto(url);
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Console' }).waitFor();
  const unexpected = errors.filter((e) => !/status of 401/.test(e));
  errors.length = 0;
  errors.push(...unexpected);
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations. Evaluated through
 * the DevTools protocol, which the page's Content-Security-Policy does not govern: the page
 * itself never allows an inline script.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${axeSource}\n;undefined`);
  const violations = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

/**
 * A fresh Chromium on the console of `app`, signed in with a token of `roles`, for `act`;
 * after it, the page must pass axe-core and have logged nothing.
 */
export async function inConsole(
  app: TestApp,
  roles: Role[],
  act: (page: Page) => Promise<void>,
): Promise<void> {
  const browser = await TestBrowser.launch();
  try {
    const page = await browser.newPage();
    const errors = watchConsole(page);
    await signIn(page, `${await app.app.getUrl()}/console`, await testToken(roles), errors);
    await act(page);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

/**
 * Answers the console's confirmation dialog (its own modal, not the browser's): yes or
 * Cancel. Returns the question it asked.
 */
export async function answerConfirmation(page: Page, yes: boolean): Promise<string> {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const question = await dialog.locator('p').innerText();
  await dialog.getByRole('button', { name: yes ? /^Yes, / : 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  return question;
}
