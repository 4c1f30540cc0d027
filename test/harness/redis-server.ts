import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { awaitReady } from './await-ready.js';
import { freePort } from './free-ports.js';
import { type OwnedProcess, spawnOwned } from './owned-processes.js';

/** A Redis server of the harness's own, keeping nothing on disk. */
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
 * Starts `redis-server` on a free port with `--save "" --appendonly no` in a temp folder,
 * never the machine's own (6379), which is shared and never stopped. A restart is therefore a
 * broker that comes back empty: streams, groups and pending lists gone.
 */
export async function startRedis(
  options: {
    /** A port of the caller's choosing (a cluster node needs port + 10000 free too). */
    port?: number;
    /** More arguments: `--cluster-enabled yes`, `--replicaof 127.0.0.1 <port>`… */
    args?: string[];
  } = {},
): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-redis-'));
  const port = options.port ?? (await freePort());
  const logFile = join(dir, 'redis.log');
  let server: OwnedProcess | undefined;
  let client: Redis | undefined;
  const url = (at = port) => `redis://127.0.0.1:${at}`;

  const start = async () => {
    server = spawnOwned(
      `redis-server :${port}`,
      'redis-server',
      [
        ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        ...(options.args ?? []),
      ],
      { cwd: dir, logFile },
    );
    await awaitReady(
      server,
      async () => {
        const probe = new Redis(url(), { lazyConnect: true, retryStrategy: () => null });
        probe.on('error', () => undefined); // a refusal while it starts: connect() rejects too
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } finally {
          probe.disconnect();
        }
      },
      logFile,
    );
  };
  const stopWith = async (how: 'stop' | 'kill') => {
    client?.disconnect();
    client = undefined;
    await (how === 'stop' ? server?.stop() : server?.kill());
  };

  await start();
  return {
    port,
    url,
    client: () => (client ??= new Redis(url(), { maxRetriesPerRequest: 3 })),
    stop: () => stopWith('stop'),
    kill: () => stopWith('kill'),
    start,
    dispose: async () => {
      await stopWith('stop');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
