import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/*
 * Redis processes for the topology harness: a free-port finder, one redis-server (or sentinel)
 * started in a folder of its own, and an exit hook that stops whatever is still running.
 * Written here, small, while the fault suite's harness (its own single Redis, MariaDB, relays)
 * is being built beside it: the two should become one when both have landed.
 */

export const HOST = '127.0.0.1';

/** A redis-server started by the harness, in `dir`, logging to `log`. */
export interface RedisProcess {
  port: number;
  pid: number;
  dir: string;
  log: string;
  /** The command line it was started with, for error messages. */
  command: string;
  alive(): boolean;
  /** SIGKILL by PID, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM by PID (SIGKILL after 3 s); resolves once the process is gone. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
const folders = new Set<string>();
let hooked = false;

/**
 * Kills every process the harness still runs when this process ends, however it ends short of
 * SIGKILL: a spec that throws, a runner that tears its worker down, Ctrl-C.
 */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanUp = () => {
    for (const child of running) child.kill('SIGKILL');
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

/** Registers a temporary folder to remove at exit, should its topology not be stopped. */
export function ownFolder(dir: string): void {
  hookExit();
  folders.add(dir);
}

/** Removes a temporary folder now. */
export function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  folders.delete(dir);
}

const handedOut = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port nothing listens on, never the same twice in this process. With `clusterBus`,
 * one below 55000 whose port + 10000 (where a cluster node talks to the others) is free too.
 */
export async function freePort(options: { clusterBus?: boolean } = {}): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (handedOut.has(port) || (options.clusterBus && handedOut.has(port + 10_000))) continue;
    if (!(await canBind(port))) continue;
    if (options.clusterBus && !(await canBind(port + 10_000))) continue;
    handedOut.add(port);
    if (options.clusterBus) handedOut.add(port + 10_000);
    return port;
  }
  throw new Error('found no free loopback port between 20000 and 55000 in 200 tries');
}

/** The last lines of a log, for an error message. */
export function logTail(log: string, lines = 15): string {
  if (!existsSync(log)) return '(no log was written)';
  return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Sends one command to a server on its own short-lived connection; rejects if it does not answer. */
export async function ask(port: number, ...args: (string | number)[]): Promise<unknown> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(String(args[0]), ...args.slice(1));
  } finally {
    redis.disconnect();
  }
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

/**
 * Starts `redis-server` in `dir` with `args` (a config file first, if any), on `port`, without
 * persistence, and resolves once it answers PING. A server that exits or stays silent fails
 * loudly, with the command, its log path and the log's last lines.
 */
export async function startRedisProcess(options: {
  port: number;
  dir: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<RedisProcess> {
  const { port, dir, args = [], timeoutMs = 10_000 } = options;
  hookExit();
  const log = join(dir, 'redis.log');
  const argv = [
    ...args,
    '--port',
    String(port),
    '--bind',
    HOST,
    '--dir',
    dir,
    '--logfile',
    log,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
  ];
  const command = `redis-server ${argv.map((a) => (a === '' ? '""' : a)).join(' ')}`;
  const child = spawn('redis-server', argv, { cwd: dir, stdio: 'ignore' });
  running.add(child);
  let gone = false;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    const onGone = () => {
      gone = true;
      running.delete(child);
      resolve();
    };
    child.once('exit', onGone);
    child.once('error', (error) => {
      spawnError = error;
      onGone();
    });
  });
  const failed = exited.then(() => {
    throw new Error(
      spawnError
        ? `could not run ${command}: ${spawnError.message} (is redis-server on PATH?)`
        : `${command} exited with ${child.exitCode ?? child.signalCode} before answering; its log ${log}:\n${logTail(log)}`,
    );
  });
  // Only the start races it: a later exit (stopped, killed) is no failure.
  failed.catch(() => undefined);
  const alive = () => !gone;
  const end = async (signal: NodeJS.Signals) => {
    if (alive()) process.kill(child.pid!, signal);
    await exited;
  };
  try {
    await Promise.race([
      failed,
      waitFor(`${command} answering PING`, () => ask(port, 'PING'), timeoutMs),
    ]);
  } catch (error) {
    await end('SIGKILL');
    const message = (error as Error).message;
    throw new Error(
      message.includes(log) ? message : `${message}; its log ${log}:\n${logTail(log)}`,
    );
  }
  return {
    port,
    pid: child.pid!,
    dir,
    log,
    command,
    alive,
    kill: () => end('SIGKILL'),
    stop: async () => {
      const timer = setTimeout(() => alive() && process.kill(child.pid!, 'SIGKILL'), 3000);
      await end('SIGTERM');
      clearTimeout(timer);
    },
  };
}
