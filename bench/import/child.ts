import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REGISTER = ['--import', '@swc-node/register/esm-register'];
/** The V8 flags of `npm start` and the Docker image (see package.json), so the app runs as in production. */
const APP_FLAGS = ['--max-semi-space-size=64'];

/** Forks a TypeScript script of the bench (through swc, like the npm script) with an IPC channel. */
export function forkScript(
  relative: string,
  env: Record<string, string>,
  extraArgs: string[] = [],
): ChildProcess {
  const script = fileURLToPath(new URL(relative, import.meta.url));
  return fork(script, [], {
    execArgv: [...REGISTER, ...APP_FLAGS, ...extraArgs],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The first IPC message of `child` that `pick` accepts; rejects if the child exits first. */
export function nextMessage<T>(
  child: ChildProcess,
  pick: (message: unknown) => T | undefined,
  timeoutMs = 600_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no answer from the child within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => {
      const picked = pick(message);
      if (picked !== undefined) done(undefined, picked);
    };
    const onExit = (code: number | null) =>
      done(new Error(`the child exited (code ${code}) before answering`));
    function done(error?: Error, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
