import { existsSync, readFileSync } from 'node:fs';
import type { OwnedProcess } from './owned-processes.js';

/**
 * Polls `probe` until it resolves true; fails at once, with the end of the process's log, if
 * the process exits first, and after `timeoutMs` otherwise. A probe that throws counts as
 * "not yet" (a refused connection while the server starts).
 */
export async function awaitReady(
  owned: OwnedProcess,
  probe: () => Promise<boolean>,
  logFile: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!owned.running()) {
      throw new Error(`${owned.name} exited before it was ready:\n${tail(logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await owned.kill();
  throw new Error(`${owned.name} was not ready within ${timeoutMs} ms:\n${tail(logFile)}`);
}

/** The last lines of a log file, for an error message. */
export function tail(logFile: string, lines = 30): string {
  if (!existsSync(logFile)) return '(no log)';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
