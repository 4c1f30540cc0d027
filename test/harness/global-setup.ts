import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUILT_APP } from './app-process.js';
import { killLeftovers, RUN_DIR_VARIABLE } from './owned-processes.js';

/**
 * Vitest global setup of a suite built on the harness: the built app must exist (the suite's
 * npm script builds it first), and every process noted during the run that is still alive at
 * the end (a worker that crashed before its `afterAll`) is ended by PID.
 */
export default function setup(): () => void {
  const built = resolve(import.meta.dirname, '../..', BUILT_APP);
  if (!existsSync(built)) {
    throw new Error(`${BUILT_APP} is missing: run npm run build first (npm run test:faults does)`);
  }
  const runDir = mkdtempSync(join(tmpdir(), 'tributary-harness-'));
  // Workers start after global setup, and inherit this.
  process.env[RUN_DIR_VARIABLE] = runDir;
  return () => {
    const killed = killLeftovers(runDir);
    if (killed.length > 0) console.warn(`harness: ended leftover processes: ${killed.join(', ')}`);
    rmSync(runDir, { recursive: true, force: true });
  };
}
