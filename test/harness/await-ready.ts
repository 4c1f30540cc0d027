import { existsSync, readFileSync } from 'node:fs';
import type { OwnedProcess } from './owned-processes.js';

/**
 * Polls `probe` until it resolves true; fails at once if the process exits first, and after
 * `timeoutMs` otherwise (killing it), either way loudly: the command line, its log's path and
 * the log's last lines. A probe that throws counts as "not yet" (a refused connection while
 * the server starts).
 */
export async function awaitReady(
  owned: OwnedProcess,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const failure = (what: string) =>
    new Error(
      `${owned.name} ${what}: ${owned.command}\nits log ${owned.logFile}:\n${logTail(owned.logFile)}`,
    );
  while (Date.now() < deadline) {
    if (!owned.running()) throw failure(`exited with ${await owned.exited} before it was ready`);
    // A probe that hangs (a port some other process answers on) gives way to the exit.
    const exited = owned.exited.then(() => false);
    if (await Promise.race([probe().catch(() => false), exited])) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await owned.kill();
  throw failure(`was not ready within ${timeoutMs} ms`);
}

/**
 * Polls `check` every 100 ms until it returns a value, or throws after `timeoutMs` saying what
 * was awaited and what the last check saw.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The last lines of a log file, for an error message. */
export function logTail(logFile: string, lines = 30): string {
  if (!existsSync(logFile)) return '(no log was written)';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
