import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort, HOST } from './free-ports.js';
import { ask, type RedisProcess, startRedisProcess } from './redis-server.js';
import { startRedisCluster, startSentinelGroup } from './redis-topologies.js';

/*
 * The harness itself, proven against real redis-server processes it starts. It does not run
 * the app, so the embedded and real profiles do not apply: each topology here is its own Redis.
 */

/**
 * Asks the kernel, not the harness, whether a PID still runs. A zombie (state Z: dead, its
 * exit status not yet collected by whoever inherited it) does not count.
 */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function expectGone(processes: RedisProcess[]): void {
  expect(processes.filter((p) => running(p.pid)).map((p) => p.command)).toEqual([]);
  expect(processes.filter((p) => existsSync(p.dir)).map((p) => p.dir)).toEqual([]);
}

describe('Redis topologies for tests', () => {
  it('starts a Cluster of 3 masters with a replica each that serves ioredis, fails a master over, and leaves nothing behind', async () => {
    const cluster = await startRedisCluster();
    const client = new Cluster(cluster.addresses);
    client.on('error', () => undefined); // refused connections while the master is down
    try {
      expect(String(await client.cluster('INFO'))).toMatch(/^cluster_size:3\r?$/m);
      // CLUSTER NODES, not SLOTS: SLOTS lists no replica before the first write replicates.
      const nodes = String(await client.cluster('NODES'))
        .trim()
        .split('\n')
        .map((line) => line.split(' '));
      const masters = nodes.filter(([, , flags]) => flags!.includes('master'));
      const replicas = nodes.filter(([, , flags]) => flags!.includes('slave'));
      expect(masters).toHaveLength(3);
      expect(new Set(replicas.map(([, , , masterId]) => masterId))).toEqual(
        new Set(masters.map(([id]) => id)),
      );

      await client.set('order:1', 'paid');
      expect(await client.get('order:1')).toBe('paid');
      const master = await cluster.masterOf('order:1');
      // WAIT on the connection that wrote: the replica holds the key before its master dies.
      const node = client.nodes('master').find((n) => n.options.port === master.port)!;
      expect(await node.wait(1, 5000)).toBe(1);

      const { killed, promoted } = await cluster.failMasterOf('order:1');
      expect(killed).toBe(master);
      expect(running(killed.pid)).toBe(false);
      expect(promoted.port).not.toBe(killed.port);
      expect(await ask(promoted.port, 'ROLE')).toContain('master');

      await client.set('order:2', 'paid');
      expect(await client.get('order:2')).toBe('paid');
      expect(await client.get('order:1')).toBe('paid');
    } finally {
      client.disconnect();
      await cluster.stop();
    }
    expectGone(cluster.nodes);
  });

  it('starts a Sentinel group that serves ioredis, fails the master over to the replica, and leaves nothing behind', async () => {
    const group = await startSentinelGroup();
    const client = new Redis({ sentinels: group.addresses, name: group.name });
    client.on('error', () => undefined); // refused connections while the master is down
    const processes = [...group.nodes, ...group.sentinels];
    try {
      const [master, replica] = group.nodes;
      expect(await group.master()).toBe(master);
      for (const sentinel of group.sentinels) {
        // Ready means every sentinel sees the replica and the two others (whose votes a failover needs).
        expect(await ask(sentinel.port, 'SENTINEL', 'REPLICAS', group.name)).toHaveLength(1);
        expect(await ask(sentinel.port, 'SENTINEL', 'SENTINELS', group.name)).toHaveLength(2);
      }
      await client.set('order:1', 'paid');
      expect(await client.get('order:1')).toBe('paid');
      expect(await client.wait(1, 5000)).toBe(1);

      const { killed, promoted } = await group.failMaster();
      expect(killed).toBe(master);
      expect(running(killed.pid)).toBe(false);
      expect(promoted).toBe(replica);
      expect(await ask(promoted.port, 'ROLE')).toContain('master');

      await client.set('order:2', 'paid');
      expect(await client.get('order:2')).toBe('paid');
      expect(await client.get('order:1')).toBe('paid');
    } finally {
      client.disconnect();
      await group.stop();
    }
    expectGone(processes);
  });

  it('fails loudly when a server cannot start, naming the command and its log', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((listening) => squatter.listen(port, HOST, listening));
    const dir = mkdtempSync(join(tmpdir(), 'tributary-redis-refused-'));
    try {
      const start = startRedisProcess({ port, dir });
      await expect(start).rejects.toThrow(`redis-server`);
      const message = await start.catch((error: Error) => error.message);
      expect(message).toContain(`--port ${port}`);
      expect(message).toContain(join(dir, 'redis.log'));
      expect(message).toMatch(/Address already in use/);
    } finally {
      squatter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['the process owning it throws', 'throw', undefined],
    ['the process owning it is interrupted (SIGINT)', 'wait', 'SIGINT'],
    ['the process owning it is terminated (SIGTERM)', 'wait', 'SIGTERM'],
  ] as const)('leaves no process or folder behind when %s', async (_, mode, signal) => {
    const owner = spawn(
      process.execPath,
      [
        '--import',
        '@swc-node/register/esm-register',
        'test/fixtures/harness/topology-owner.ts',
        mode,
      ],
      { cwd: resolve(import.meta.dirname, '../..'), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    owner.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((done) => owner.once('exit', () => done()));
    const started = await new Promise<{ pids: number[]; dirs: string[] }>((found, failed) => {
      owner.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = /^topology (.*)$/m.exec(output);
        if (line) found(JSON.parse(line[1]!) as { pids: number[]; dirs: string[] });
      });
      void exited.then(() =>
        failed(new Error(`the owner exited before its topology started:\n${output}`)),
      );
    });
    expect(started.pids.filter(running)).toHaveLength(5);
    if (signal) owner.kill(signal);
    else owner.stdin.write('throw now\n');
    await exited;
    expect(started.pids.filter(running)).toEqual([]);
    expect(started.dirs.filter((dir) => existsSync(dir))).toEqual([]);
  });
});
