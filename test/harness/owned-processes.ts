import { type ChildProcess, spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * Where the harness notes the PID of every process it starts, one file each, for the run's
 * global teardown to end what a crashed test worker left behind. Set by the fault suite's
 * global setup; without it, only the exit hook below cleans up.
 */
export const RUN_DIR_VARIABLE = 'TRIBUTARY_HARNESS_RUN_DIR';

/** A server or app process the harness started, and stops by its PID only. */
export interface OwnedProcess {
  readonly name: string;
  readonly pid: number;
  /** The command line it was started with, for error messages. */
  readonly command: string;
  /** Where its standard output and error go. */
  readonly logFile: string;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  running(): boolean;
  /**
   * SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it has exited,
   * with how: `exited` by itself, or `killed` when the grace ran out.
   */
  stop(graceMs?: number): Promise<StopOutcome>;
  /** SIGKILL: it dies on the spot, whatever it was doing. */
  kill(): Promise<void>;
}

/** How a stop ended: the process exited by itself, or had to be SIGKILLed. */
export type StopOutcome = 'exited' | 'killed';

const live = new Set<ChildProcess>();
const folders = new Set<string>();
let exitHookInstalled = false;

/**
 * Starts `command` as a process the harness owns: its output goes to `logFile`, its PID is
 * noted for the teardown, and it is SIGKILLed if the test process ends with it still running
 * (a failed spec's `afterAll` that never ran, an interrupted run). A command that cannot be
 * run at all fails at once, naming it.
 */
export function spawnOwned(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string },
): OwnedProcess {
  installExitHook();
  const commandLine = [command, ...args.map((a) => (a === '' ? '""' : a))].join(' ');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    // The cause (ENOENT, EACCES) comes as an 'error' event later; without a listener it would
    // crash the test process.
    child.once('error', () => undefined);
    throw new Error(`${name}: could not run ${commandLine} (is ${command} installed and on PATH?)`);
  }
  const pid = child.pid;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  live.add(child);
  const note = noteFile(pid);
  if (note) writeFileSync(note, JSON.stringify({ name, command }));
  // 'close' comes after 'exit' once the output is drained: the log then has its last lines.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      live.delete(child);
      if (note) rmSync(note, { force: true });
      log.end();
      resolve(code);
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = async (sig: NodeJS.Signals) => {
    if (running()) child.kill(sig);
    await exited;
  };
  return {
    name,
    pid,
    command: commandLine,
    logFile: options.logFile,
    exited,
    running,
    kill: () => signal('SIGKILL'),
    stop: async (graceMs = 10_000) => {
      if (!running()) return 'exited';
      let outcome: StopOutcome = 'exited';
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!running()) return;
        outcome = 'killed';
        child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      return outcome;
    },
  };
}

/** Every process this test process still runs, SIGKILLed and waited for (an `afterAll` safety net). */
export async function killAllOwned(): Promise<void> {
  const children = [...live];
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) =>
          child.exitCode !== null || child.signalCode !== null
            ? resolve()
            : child.once('exit', () => resolve()),
        ),
    ),
  );
}

/**
 * Ends what the noted PIDs of a run still name: called by the global teardown, after every
 * worker is gone. A PID is killed only if its command line still holds the command noted for
 * it, so a PID the OS has given to another process meanwhile is left alone.
 */
export function killLeftovers(runDir: string): string[] {
  const killed: string[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(runDir).filter((f) => f.endsWith('.pid'));
  } catch {
    return killed;
  }
  for (const file of files) {
    const pid = Number(file.slice(0, -'.pid'.length));
    try {
      const { name, command } = JSON.parse(readFileSync(join(runDir, file), 'utf8')) as {
        name: string;
        command: string;
      };
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(command)) {
        process.kill(pid, 'SIGKILL');
        killed.push(`${name} (pid ${pid})`);
      }
    } catch {
      // Gone already, or not ours any more.
    }
    rmSync(join(runDir, file), { force: true });
  }
  return killed;
}

function noteFile(pid: number): string | undefined {
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (!runDir) return undefined;
  mkdirSync(runDir, { recursive: true });
  return join(runDir, `${pid}.pid`);
}

/** A temporary folder of the harness's, removed when the test process ends if it is still there. */
export function ownFolder(dir: string): void {
  installExitHook();
  folders.add(dir);
}

/** Removes a temporary folder now. */
export function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  folders.delete(dir);
}

/**
 * However the test process ends short of SIGKILL (a spec that throws, a runner tearing its
 * worker down, Ctrl-C, a SIGTERM), every process the harness still runs is SIGKILLed and its
 * folders are removed. 'exit' handlers run synchronously: a kill is all that can be done
 * there, and enough.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanUp = () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(code);
    });
  }
}
