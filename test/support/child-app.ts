import { type AppProcess, startAppProcess } from '../harness/app-process.js';

/** The specs' name for an app process (see the fault harness, test/harness/app-process.ts). */
export type ChildApp = AppProcess;

/** Starts an entry point as its own OS process; see {@link startAppProcess}. */
export function spawnApp(
  entry: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ChildApp> {
  return startAppProcess({ entry, env, startTimeoutMs: timeoutMs });
}
