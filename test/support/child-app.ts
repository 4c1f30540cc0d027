import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_JWT_SECRET, testToken } from './test-app.js';

export interface ChildApp {
  url: string;
  process: ChildProcess;
  output(): string;
  /** `fetch` on the child's URL with an admin token, as a gateway-authenticated caller would. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** SIGTERM and wait for a graceful exit. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies on the spot, whatever it was doing. */
  kill(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

/**
 * Starts an entry point as its own OS process (TypeScript run through SWC, which keeps the
 * decorator metadata Nest needs) and resolves once it prints `listening on <url>`.
 */
export async function spawnApp(
  entry: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ChildApp> {
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', entry], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', AUTH_JWT_SECRET: TEST_JWT_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${entry} did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before listening:\n${output}`));
    });
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const authorization = `Bearer ${await testToken(['admin'])}`;
  const authorizedFetch = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization },
    });
  return {
    url,
    process: child,
    output: () => output,
    fetch: authorizedFetch,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
