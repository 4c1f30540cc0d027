import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './await-ready.js';
import { freePort, HOST } from './free-ports.js';
import { ownFolder, removeFolder } from './owned-processes.js';
import { ask, type RedisProcess, startRedisProcess } from './redis-server.js';

/*
 * The Redis topologies production runs and the bus must survive: a Cluster and a Sentinel
 * group, each started from scratch on free loopback ports in temporary folders, with a helper
 * that kills a master (SIGKILL, by PID) and waits until a replica has taken over.
 */

/** A loopback address as ioredis's `Cluster` and Sentinel options take them. */
export interface Address {
  host: string;
  port: number;
}

/** What a failover did: the master killed and the replica promoted in its place. */
export interface Failover {
  killed: RedisProcess;
  promoted: RedisProcess;
}

export interface RedisCluster {
  /** Every node, masters first as created (roles change with failovers). */
  nodes: RedisProcess[];
  /** Startup nodes for `new Cluster(...)`. */
  addresses: Address[];
  /** The live node serving `key`'s hash slot now. */
  masterOf(key: string): Promise<RedisProcess>;
  /** Kills the master serving `key` and waits until its slots are served again by a replica. */
  failMasterOf(key: string): Promise<Failover>;
  /** Stops every node by PID and removes the folders. */
  stop(): Promise<void>;
}

export interface SentinelGroup {
  /** The master name the sentinels monitor (`name` in ioredis's Sentinel options). */
  name: string;
  /** The data nodes, master first as started (roles change with failovers). */
  nodes: RedisProcess[];
  sentinels: RedisProcess[];
  /** Sentinel addresses for `new Redis({ sentinels, name })`. */
  addresses: Address[];
  /** The data node every sentinel names as master now. */
  master(): Promise<RedisProcess>;
  /** Kills the master and waits until every sentinel names the promoted replica. */
  failMaster(): Promise<Failover>;
  stop(): Promise<void>;
}

const run = promisify(execFile);
const START_TIMEOUT_MS = 30_000;
/** A failover takes node timeout + election here (a few seconds); this bounds a stuck one. */
const FAILOVER_TIMEOUT_MS = 30_000;
const SLOTS = 16_384;

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

async function stopAll(processes: RedisProcess[], root: string): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
  removeFolder(root);
}

/** Starts `count` servers in folders of their own under `root`, stopping them all if one fails. */
async function startNodes(
  root: string,
  ports: number[],
  argsOf: (port: number, dir: string) => string[],
): Promise<RedisProcess[]> {
  const started = await Promise.allSettled(
    ports.map((port) => {
      const dir = join(root, String(port));
      mkdirSync(dir);
      return startRedisProcess({ port, dir, args: argsOf(port, dir) });
    }),
  );
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = started.find((s) => s.status === 'rejected');
  if (failure) {
    await stopAll(nodes, root);
    throw failure.reason;
  }
  return nodes;
}

/** Runs setup steps on started processes; on failure stops them and removes the folder. */
async function orStop<T>(processes: RedisProcess[], root: string, step: () => Promise<T>) {
  try {
    return await step();
  } catch (error) {
    await stopAll(processes, root);
    throw error;
  }
}

type SlotRange = [start: number, end: number, master: [host: string, port: number, ...unknown[]]];

/**
 * A Redis Cluster of `masters` masters with a replica each (`redis-cli --cluster create
 * --cluster-replicas 1`), resolved once every node says `cluster_state:ok`, knows every other
 * node, and every replica is in sync with its master. `nodeTimeoutMs` is how long a silent
 * master has before its replica takes over.
 */
export async function startRedisCluster(
  options: { masters?: number; nodeTimeoutMs?: number } = {},
): Promise<RedisCluster> {
  const { masters = 3, nodeTimeoutMs = 2000 } = options;
  const root = mkdtempSync(join(tmpdir(), 'tributary-redis-cluster-'));
  ownFolder(root);
  const ports: number[] = [];
  for (let i = 0; i < masters * 2; i++) ports.push(await freePort({ clusterBus: true }));
  const nodes = await startNodes(root, ports, () => [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
  ]);
  const live = () => nodes.filter((n) => n.alive());
  const byPort = (port: number) => nodes.find((n) => n.port === port);

  await orStop(nodes, root, async () => {
    const create = [
      '--cluster',
      'create',
      ...ports.map((p) => `${HOST}:${p}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ];
    try {
      await run('redis-cli', create, { timeout: START_TIMEOUT_MS });
    } catch (error) {
      const { stdout = '', stderr = '', message } = error as Error & Record<string, string>;
      throw new Error(`redis-cli ${create.join(' ')} failed: ${message}\n${stdout}${stderr}`);
    }
    await waitFor(
      `Redis Cluster on ports ${ports.join(', ')} (logs under ${root}) reaching cluster_state:ok with every replica in sync`,
      async () => {
        for (const node of nodes) {
          const info = String(await ask(node.port, 'CLUSTER', 'INFO'));
          if (field(info, 'cluster_state') !== 'ok') return undefined;
          if (Number(field(info, 'cluster_known_nodes')) !== nodes.length) return undefined;
          const replication = String(await ask(node.port, 'INFO', 'replication'));
          if (
            field(replication, 'role') === 'slave' &&
            field(replication, 'master_link_status') !== 'up'
          )
            return undefined;
        }
        return true;
      },
      START_TIMEOUT_MS,
    );
  });

  /** The slot map as a live node sees it, once every slot has a live master. */
  const servedSlots = async (): Promise<SlotRange[] | undefined> => {
    for (const node of live()) {
      const info = String(await ask(node.port, 'CLUSTER', 'INFO'));
      if (field(info, 'cluster_state') !== 'ok') return undefined;
    }
    const ranges = (await ask(live()[0]!.port, 'CLUSTER', 'SLOTS')) as SlotRange[];
    const covered = ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0);
    if (covered !== SLOTS) return undefined;
    return ranges.every(([, , [, port]]) => byPort(port)?.alive()) ? ranges : undefined;
  };

  const masterOf = async (key: string): Promise<RedisProcess> => {
    const slot = Number(await ask(live()[0]!.port, 'CLUSTER', 'KEYSLOT', key));
    const ranges = await waitFor(`a live master for every slot`, servedSlots, FAILOVER_TIMEOUT_MS);
    const [, , [, port]] = ranges.find(([start, end]) => slot >= start && slot <= end)!;
    return byPort(port)!;
  };

  return {
    nodes,
    addresses: ports.map((port) => ({ host: HOST, port })),
    masterOf,
    async failMasterOf(key) {
      const killed = await masterOf(key);
      await killed.kill();
      const promoted = await waitFor(
        `a replica promoted in place of the master on port ${killed.port} (logs under ${root})`,
        async () => {
          const master = await masterOf(key);
          const role = field(String(await ask(master.port, 'INFO', 'replication')), 'role');
          return master !== killed && role === 'master' ? master : undefined;
        },
        FAILOVER_TIMEOUT_MS,
      );
      return { killed, promoted };
    },
    stop: () => stopAll(nodes, root),
  };
}

/**
 * A Sentinel group: a master, a replica (`--replicaof`) and three sentinels monitoring the
 * master under `name` with a quorum of 2, resolved once every sentinel names the master, sees
 * the replica in sync and knows the two other sentinels (a failover needs their votes).
 * `downAfterMs` is how long a silent master has before the sentinels fail it over.
 */
export async function startSentinelGroup(
  options: { name?: string; downAfterMs?: number; failoverTimeoutMs?: number } = {},
): Promise<SentinelGroup> {
  const { name = 'tributary', downAfterMs = 1000, failoverTimeoutMs = 5000 } = options;
  const root = mkdtempSync(join(tmpdir(), 'tributary-redis-sentinel-'));
  ownFolder(root);
  const [masterPort, replicaPort] = [await freePort(), await freePort()];
  const [master] = await startNodes(root, [masterPort!], () => []);
  const [replica] = await orStop([master!], root, () =>
    startNodes(root, [replicaPort!], () => ['--replicaof', HOST, String(masterPort)]),
  );
  const nodes = [master!, replica!];
  const sentinelPorts = [await freePort(), await freePort(), await freePort()];
  // A sentinel rewrites its configuration file as it learns: each gets its own, in its folder.
  const sentinels = await orStop(nodes, root, () =>
    startNodes(root, sentinelPorts, (_, dir) => {
      const file = join(dir, 'sentinel.conf');
      writeFileSync(
        file,
        [
          `sentinel monitor ${name} ${HOST} ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
          `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      return [file, '--sentinel'];
    }),
  );
  const all = [...nodes, ...sentinels];
  const byPort = (port: number) => nodes.find((n) => n.port === port);

  /** The data node every live sentinel names as master, once they agree on a live one. */
  const agreedMaster = async (): Promise<RedisProcess | undefined> => {
    const named = new Set<number>();
    for (const sentinel of sentinels) {
      const [, port] = (await ask(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [
        string,
        string,
      ];
      named.add(Number(port));
    }
    const [port] = [...named];
    const node = named.size === 1 ? byPort(port!) : undefined;
    return node?.alive() ? node : undefined;
  };

  await orStop(all, root, () =>
    waitFor(
      `Sentinel group ${name} (master ${masterPort}, replica ${replicaPort}, sentinels ${sentinelPorts.join(', ')}; logs under ${root}) agreeing on the master, seeing the replica and each other`,
      async () => {
        if ((await agreedMaster()) !== master) return undefined;
        const replication = String(await ask(replicaPort!, 'INFO', 'replication'));
        if (field(replication, 'master_link_status') !== 'up') return undefined;
        for (const sentinel of sentinels) {
          const info = String(await ask(sentinel.port, 'INFO', 'sentinel'));
          if (!new RegExp(`name=${name},status=ok,.*slaves=1,sentinels=3`).test(info))
            return undefined;
        }
        return true;
      },
      START_TIMEOUT_MS,
    ),
  );

  return {
    name,
    nodes,
    sentinels,
    addresses: sentinelPorts.map((port) => ({ host: HOST, port })),
    master: () =>
      waitFor(`sentinels of ${name} agreeing on a live master`, agreedMaster, FAILOVER_TIMEOUT_MS),
    async failMaster() {
      const killed = await waitFor(
        `sentinels of ${name} agreeing`,
        agreedMaster,
        FAILOVER_TIMEOUT_MS,
      );
      await killed.kill();
      const promoted = await waitFor(
        `sentinels of ${name} naming a promoted replica in place of the master on port ${killed.port} (logs under ${root})`,
        async () => {
          const node = await agreedMaster();
          if (!node || node === killed) return undefined;
          const role = field(String(await ask(node.port, 'INFO', 'replication')), 'role');
          return role === 'master' ? node : undefined;
        },
        FAILOVER_TIMEOUT_MS,
      );
      return { killed, promoted };
    },
    stop: () => stopAll(all, root),
  };
}
