import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/** A `redis-server` of a spec's own, on a free port: never the machine's shared one. */
export interface OwnRedis {
  port: number;
  url: string;
  /** Stops it by its PID and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` keeping nothing on disk, with `args` added (`--replicaof`, say), and
 * resolves once it answers.
 */
export async function startOwnRedis(args: string[] = []): Promise<OwnRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat(
      ['--dir', dir],
      args,
    ),
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on ${port} did not start`);
    }
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    // INFO: a replica that refuses stale reads still answers it.
    const answered = await probe
      .connect()
      .then(() => probe.info('server'))
      .then(
        () => true,
        () => false,
      );
    probe.disconnect();
    if (answered) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, url, stop };
}
