import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { it } from 'vitest';
import {
  type Address,
  startRedisCluster,
  startSentinelGroup,
} from '../harness/redis-topologies.js';
import { createSpecDatabase, type DatabaseKind } from '../support/databases.js';
import {
  deleteRedisKeys,
  processEnv,
  type ProfileResources,
  profiles,
  REDIS_URL,
} from '../support/profiles.js';

/*
 * The brokers the bus runs on, each a backend of the conformance suite: the same spec files
 * run against every one (`describe.each(backends)`). A backend declares what it can do; a
 * case that needs what it lacks is reported as skipped under a title naming the backend and
 * the reason ("n/a on in-process: no crash takeover"), never left out silently.
 * `TEST_BACKENDS=in-process,redis` narrows a run on purpose; a backend that cannot start fails
 * the file's specs with the harness's error (the command and its log).
 */

export type BackendName = 'in-process' | 'redis' | 'redis-sentinel' | 'redis-cluster';

export type Capability =
  /** Events outlive the process that published them: a subscriber started later gets them. */
  | 'durable'
  /** Replicas of one pipeline in separate OS processes share its events. */
  | 'replicas-across-processes'
  /** A replica takes over the events a SIGKILLed consumer held. */
  | 'crash-takeover'
  /** The broker can be cut off (a TCP relay in front of it) while the app runs. */
  | 'broker-outage'
  /** A master can be killed and a replica promoted in its place. */
  | 'failover';

const WHY_NOT: Record<Capability, string> = {
  durable: 'events live and die with the process',
  'replicas-across-processes': 'no replicas across processes',
  'crash-takeover': 'no crash takeover',
  'broker-outage': 'no broker outage',
  failover: 'no failover (one node)',
};

const REDIS: Capability[] = ['durable', 'replicas-across-processes', 'crash-takeover'];

/**
 * A Sentinel group and a Cluster hand their clients the nodes' own addresses, so a relay in
 * front of them cannot cut the app off: their outage is a failover (a node killed) instead.
 */
export const CAPABILITIES: Record<BackendName, readonly Capability[]> = {
  'in-process': [],
  redis: [...REDIS, 'broker-outage'],
  'redis-sentinel': [...REDIS, 'failover'],
  'redis-cluster': [...REDIS, 'failover'],
};

/** Why, where the capability's general reason says too little. */
const NOT_APPLICABLE: Record<BackendName, Partial<Record<Capability, string>>> = {
  'in-process': { 'broker-outage': 'no broker outage (the bus lives in the process)' },
  redis: {},
  'redis-sentinel': {
    'broker-outage':
      'no broker outage through a relay (clients reach the nodes the sentinels name)',
  },
  'redis-cluster': {
    'broker-outage':
      'no broker outage through a relay (clients follow the nodes the Cluster names)',
  },
};

const ALL = Object.keys(CAPABILITIES) as BackendName[];

/**
 * The backends of this run: those `TEST_BACKENDS` names (an unknown name fails); by default
 * every one, less the machine's Redis when `TEST_PROFILES` leaves out the real profile (a
 * machine without it, on purpose). Sentinel and Cluster need only `redis-server` on `PATH`.
 */
export const backends: BackendName[] = (() => {
  const wanted = process.env.TEST_BACKENDS?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!wanted) return profiles.includes('real') ? ALL : ALL.filter((name) => name !== 'redis');
  const unknown = wanted.filter((name) => !ALL.includes(name as BackendName));
  if (unknown.length > 0)
    throw new Error(
      `TEST_BACKENDS names unknown backends ${unknown.join(', ')} (known: ${ALL.join(', ')})`,
    );
  return wanted as BackendName[];
})();

export function can(backend: BackendName, capability: Capability): boolean {
  return CAPABILITIES[backend].includes(capability);
}

/**
 * `it` when the backend has every capability the case needs; otherwise the case is listed as
 * skipped with why: "<title> (n/a on in-process: no crash takeover)".
 */
export function itWith(
  backend: BackendName,
  needs: Capability[],
  title: string,
  fn: () => Promise<void>,
  timeoutMs?: number,
): void {
  const missing = needs.filter((capability) => !can(backend, capability));
  if (missing.length === 0) it(title, fn, timeoutMs);
  else {
    const why = missing.map((c) => NOT_APPLICABLE[backend][c] ?? WHY_NOT[c]).join(', ');
    it.skip(`${title} (n/a on ${backend}: ${why})`, fn);
  }
}

/** A started backend: the app's settings for it, and a client of our own to look at its keys. */
export interface Backend {
  name: BackendName;
  /** A database and a key prefix of the file's own: the broker is what is under test. */
  profile: ProfileResources;
  /** The environment that selects the broker, for an app in this process or its own. */
  env: Record<string, string>;
  /** The environment of an app started as its own OS process (`startAppProcess`). */
  processEnv(pipelines: string): Record<string, string>;
  keyPrefix: string;
  /** A client on the broker (Redis backends only). */
  client(): Redis | Cluster;
  /** Kills the master serving `key` and waits for the promoted replica (failover backends). */
  failMasterOf(key: string): Promise<void>;
  stop(): Promise<void>;
}

const list = (addresses: Address[]) => addresses.map((a) => `${a.host}:${a.port}`).join(',');

/**
 * Starts a backend for one spec file (a Cluster or Sentinel group on free ports), with a
 * SQLite database of its own; MariaDB (`database: 'mysql'`) for apps in several OS processes,
 * which SQLite's single writer would serialise.
 */
export async function startBackend(
  name: BackendName,
  options: { database?: DatabaseKind } = {},
): Promise<Backend> {
  const database = await createSpecDatabase(options.database ?? 'sqlite');
  const keyPrefix = `tributary-test:${randomBytes(4).toString('hex')}`;
  const profile: ProfileResources = {
    name: options.database === 'mysql' ? 'real' : 'embedded',
    overrides: { database: database.settings, bus: { keyPrefix } },
    dispose: () => database.drop(),
  };
  const base = (env: Record<string, string>) => ({
    name,
    profile,
    env,
    keyPrefix,
    processEnv: (pipelines: string) => ({ ...processEnv(profile, pipelines), ...env }),
  });
  const unsupported = (what: string) => () => {
    throw new Error(`${what} is not available on the ${name} backend`);
  };
  try {
    switch (name) {
      case 'in-process':
        return {
          ...base({}),
          client: unsupported('a broker client'),
          failMasterOf: unsupported('a failover'),
          stop: () => profile.dispose(),
        };
      case 'redis':
        return {
          ...base({ REDIS_URL }),
          client: () => new Redis(REDIS_URL),
          failMasterOf: unsupported('a failover'),
          stop: async () => {
            await deleteRedisKeys(`${keyPrefix}:*`);
            await profile.dispose();
          },
        };
      case 'redis-sentinel': {
        const group = await startSentinelGroup();
        return {
          ...base({ REDIS_SENTINELS: list(group.addresses), REDIS_SENTINEL_NAME: group.name }),
          client: () => new Redis({ sentinels: group.addresses, name: group.name }),
          failMasterOf: async () => void (await group.failMaster()),
          stop: async () => {
            await group.stop();
            await profile.dispose();
          },
        };
      }
      case 'redis-cluster': {
        const cluster = await startRedisCluster();
        return {
          ...base({ REDIS_CLUSTER_NODES: list(cluster.addresses) }),
          client: () => new Cluster(cluster.addresses),
          failMasterOf: async (key) => void (await cluster.failMasterOf(key)),
          stop: async () => {
            await cluster.stop();
            await profile.dispose();
          },
        };
      }
    }
  } catch (error) {
    await profile.dispose();
    throw error;
  }
}
