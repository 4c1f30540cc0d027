import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { awaitReady } from './await-ready.js';
import { freePort, HOST } from './free-ports.js';
import { ownFolder, removeFolder, spawnOwned } from './owned-processes.js';

/** One `redis-server` (or sentinel) process the harness started, in `dir`, logging to `log`. */
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

/**
 * Starts `redis-server` in `dir` with `args` (a config file first, if any) on `port`, keeping
 * nothing on disk, and resolves once it answers. Never the machine's own server (6379), which
 * is shared and never stopped. A server that exits or stays silent fails loudly, with the
 * command, its log's path and the log's last lines (Address already in use, say).
 */
export async function startRedisProcess(options: {
  port: number;
  dir: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<RedisProcess> {
  const { port, dir, args = [], timeoutMs = 10_000 } = options;
  const log = join(dir, 'redis.log');
  const argv = [
    ...args,
    ...['--port', String(port), '--bind', HOST, '--dir', dir],
    ...['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
  ];
  const owned = spawnOwned(`redis-server :${port}`, 'redis-server', argv, {
    cwd: dir,
    logFile: log,
  });
  // INFO, not PING: a replica that refuses stale reads (MASTERDOWN) still answers it.
  await awaitReady(owned, async () => String(await ask(port, 'INFO', 'server')) !== '', timeoutMs);
  return {
    port,
    pid: owned.pid,
    dir,
    log,
    command: owned.command,
    alive: owned.running,
    kill: owned.kill,
    stop: async () => {
      await owned.stop(3000);
    },
  };
}

/** Sends one command to a server on its own short-lived connection; rejects if it does not answer. */
export async function ask(port: number, ...args: (string | number)[]): Promise<unknown> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 2000,
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

/** A Redis server of a spec's own in a folder of its own, which it can stop and start again. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, or the same through a relay at `port`. */
  url(port?: number): string;
  /** A client of the harness's own (not through a relay), connected on first use. */
  client(): Redis;
  /** Stops the server (SIGTERM, by PID). */
  stop(): Promise<void>;
  /** SIGKILLs it: what a crashed broker does. */
  kill(): Promise<void>;
  /** Starts it on the same port after stop() or kill(): empty, since nothing was kept. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * Starts a {@link startRedisProcess} server on a free port (or `port`) in a new temp folder,
 * with `args` added (`--replicaof 127.0.0.1 <port>`…). A restart is a broker that comes back
 * empty: streams, groups and pending lists gone.
 */
export async function startRedis(
  options: { port?: number; args?: string[] } = {},
): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-redis-'));
  ownFolder(dir);
  const port = options.port ?? (await freePort());
  let server: RedisProcess | undefined;
  let client: Redis | undefined;
  const url = (at = port) => `redis://${HOST}:${at}`;

  const start = async () => {
    server = await startRedisProcess({ port, dir, args: options.args });
  };
  const stopWith = async (how: 'stop' | 'kill') => {
    client?.disconnect();
    client = undefined;
    await (how === 'stop' ? server?.stop() : server?.kill());
  };

  try {
    await start();
  } catch (error) {
    removeFolder(dir);
    throw error;
  }
  return {
    port,
    url,
    client: () => (client ??= new Redis(url(), { maxRetriesPerRequest: 3 })),
    stop: () => stopWith('stop'),
    kill: () => stopWith('kill'),
    start,
    dispose: async () => {
      await stopWith('stop');
      removeFolder(dir);
    },
  };
}
