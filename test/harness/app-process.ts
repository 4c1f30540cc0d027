import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { TEST_JWT_SECRET, testToken } from '../support/test-app.js';
import { awaitReady } from './await-ready.js';
import { freePort } from './free-ports.js';
import { type OwnedProcess, spawnOwned, type StopOutcome } from './owned-processes.js';

const root = resolve(import.meta.dirname, '../..');

/** The built app, as `npm start` and the image run it (`npm run build` makes it). */
export const BUILT_APP = 'dist/src/main.js';

export interface AppProcessOptions {
  /**
   * The entry point, from the project root: a `.js` file (the built app, {@link BUILT_APP})
   * runs as is; a `.ts` file (a fixture like `test/fixtures/import-flow/main.ts`) through SWC,
   * which keeps the decorator metadata Nest needs (and costs a few seconds at each start).
   */
  entry: string;
  /** The app's environment: `DATABASE_URL`, `REDIS_URL`, `PIPELINES`, `CONFIG_DIR`, `SMTP_URL`… */
  env: Record<string, string>;
  /** Names the process in errors and its log file; the entry's name by default. */
  name?: string;
  /** Where its log goes (`<name>.log`, appended across restarts); a new temp folder by default. */
  logDir?: string;
  /** How long it may take to answer `/health/live` (30 s). */
  startTimeoutMs?: number;
}

/** The app as its own OS process: started, SIGTERMed, SIGKILLed and restarted by a spec. */
export interface AppProcess {
  readonly name: string;
  /** `http://127.0.0.1:<port>`; the same port across restarts. */
  readonly url: string;
  /** The current process's PID. */
  readonly pid: number;
  readonly logFile: string;
  /** Everything it logged so far, across restarts. */
  output(): string;
  /** `fetch` on the app's URL with an admin token, as a gateway-authenticated caller would. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /**
   * SIGTERM and wait for a graceful exit: SIGKILL after `graceMs` (30 s by default), which the
   * answer tells (`killed`).
   */
  stop(graceMs?: number): Promise<StopOutcome>;
  /** SIGKILL: the process dies on the spot, whatever it was doing. */
  kill(): Promise<void>;
  /** Starts it again, same port and environment (plus `env`), once stopped or killed. */
  restart(env?: Record<string, string>): Promise<void>;
  /** Whether the current process still runs. */
  running(): boolean;
}

/**
 * Starts the app on a free port (`PORT`) with `NODE_ENV=test` and the test JWT secret unless
 * `env` says otherwise, and resolves once `/health/live` answers 200: Nest is initialised and
 * HTTP listens. Fails with the end of its log if it exits first (a refused configuration).
 */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const name = options.name ?? basename(options.entry).replace(/\.[jt]s$/, '');
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'tributary-app-'));
  const logFile = join(logDir, `${name}.log`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const authorization = `Bearer ${await testToken(['admin'])}`;
  let env = {
    NODE_ENV: 'test',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    ...options.env,
    PORT: String(port),
  };
  const args = options.entry.endsWith('.ts')
    ? ['--import', '@swc-node/register/esm-register', options.entry]
    : // The V8 flag `npm start` and the image run with.
      ['--max-semi-space-size=64', options.entry];
  let current: OwnedProcess;

  const launch = async () => {
    current = spawnOwned(name, process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      logFile,
    });
    await awaitReady(
      current,
      async () => (await fetch(`${url}/health/live`)).status === 200,
      options.startTimeoutMs ?? 30_000,
    );
  };
  await launch();
  return {
    name,
    url,
    logFile,
    get pid() {
      return current.pid;
    },
    output: () => readFileSync(logFile, 'utf8'),
    fetch: (path, init = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization },
      }),
    stop: (graceMs = 30_000) => current.stop(graceMs),
    kill: () => current.kill(),
    restart: async (more = {}) => {
      if (current.running()) throw new Error(`${name} still runs: stop or kill it first`);
      env = { ...env, ...more };
      await launch();
    },
    running: () => current.running(),
  };
}
