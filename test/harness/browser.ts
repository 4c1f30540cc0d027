import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; `CHROMIUM_PATH` points elsewhere. `.ci/run` installs it when missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The flags this machine's Chromium needs (see the env doc): headless as root without a
 * sandbox or GPU, and no background connections, which the closed network refuses by the
 * dozen and which would slow every start.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A real browser for a spec: Debian's Chromium driven by playwright-core (which downloads no
 * browser of its own), with a new empty profile (`--user-data-dir`) removed by `close()`.
 * Fails, naming what is missing, when Chromium is not installed: never skipped.
 */
export class TestBrowser {
  private constructor(
    /** The browser context: its pages share cookies and local storage, as one person's would. */
    readonly context: BrowserContext,
    private readonly profileDir: string,
  ) {}

  static async launch(): Promise<TestBrowser> {
    try {
      accessSync(CHROMIUM, constants.X_OK);
    } catch {
      throw new Error(
        `the browser specs need Chromium at ${CHROMIUM} (CHROMIUM_PATH), which is missing: ` +
          'apt-get install -y chromium (.ci/run installs it)',
      );
    }
    const profileDir = mkdtempSync(join(tmpdir(), 'tributary-chromium-'));
    try {
      // Playwright passes the profile folder as --user-data-dir itself.
      const context = await chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        timeout: 30_000,
      });
      return new TestBrowser(context, profileDir);
    } catch (error) {
      rmSync(profileDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** A new tab. */
  newPage(): Promise<Page> {
    return this.context.newPage();
  }

  /** Closes Chromium and removes its profile. */
  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}
