import { Cluster, Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseIntegration } from '../src/integrations/purchase/purchase.integration.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { scanKeys } from '../src/platform/redis/index.js';
import { busCatalogue } from './fixtures/bus/pipelines.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import type { Address } from './harness/redis-topologies.js';
import { startRedisCluster, startSentinelGroup } from './harness/redis-topologies.js';
import { prepareProfile, type ProfileResources } from './support/profiles.js';
import {
  addCard,
  purchaseRequest,
  type PurchasePeers,
  startPurchasePeers,
} from './support/purchases.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The app on the Redis topologies production runs, selected the way a deployment selects them
 * (REDIS_CLUSTER_NODES; REDIS_SENTINELS with REDIS_SENTINEL_NAME), each started by the harness
 * on free ports: the purchase flow end to end, dead letters listed and replayed, a master
 * killed mid-flow, and rate limits counted in that Redis. The database is the embedded
 * profile's SQLite file: the topology is what is under test. A topology that cannot start
 * fails its specs (the harness names the command and its log); none is skipped.
 */

/** Requests per minute from one client: low enough to reach, high enough for the specs before. */
const RATE_LIMIT = 400;

interface Topology {
  env: Record<string, string>;
  /** What readiness names it. */
  kind: 'cluster' | 'sentinel';
  /** A client of our own, to look at the keys the app wrote. */
  client(): Redis | Cluster;
  /** Kills the master that serves `key` and waits until a replica has taken over. */
  failMasterOf(key: string): Promise<void>;
  stop(): Promise<void>;
}

const list = (addresses: Address[]) => addresses.map((a) => `${a.host}:${a.port}`).join(',');

const topologies: [string, () => Promise<Topology>][] = [
  [
    'a Redis Cluster (3 masters, 3 replicas)',
    async () => {
      const cluster = await startRedisCluster();
      return {
        env: { REDIS_CLUSTER_NODES: list(cluster.addresses) },
        kind: 'cluster',
        client: () => new Cluster(cluster.addresses),
        failMasterOf: async (key) => void (await cluster.failMasterOf(key)),
        stop: () => cluster.stop(),
      };
    },
  ],
  [
    'a Redis Sentinel group (master, replica, 3 sentinels)',
    async () => {
      const group = await startSentinelGroup();
      return {
        env: { REDIS_SENTINELS: list(group.addresses), REDIS_SENTINEL_NAME: group.name },
        kind: 'sentinel',
        client: () => new Redis({ sentinels: group.addresses, name: group.name }),
        failMasterOf: async () => void (await group.failMaster()),
        stop: () => group.stop(),
      };
    },
  ],
];

describe.each(topologies)('the app on %s', (_name, startTopology) => {
  let topology: Topology;
  let profile: ProfileResources;
  let peers: PurchasePeers;
  let app: TestApp;
  let redis: Redis | Cluster;
  let prefix: string;

  beforeAll(async () => {
    topology = await startTopology();
    redis = topology.client();
    redis.on('error', () => undefined); // refused connections while a master is down
    peers = await startPurchasePeers();
    profile = await prepareProfile('embedded');
    prefix = profile.overrides.bus!.keyPrefix!;
    app = await startTestApp(profile, {
      catalogue: [purchaseIntegration, ...busCatalogue],
      env: topology.env,
      overrides: {
        http: { rateLimit: { ttlMs: 60_000, limit: RATE_LIMIT } },
        notifiers: { email: { smtpUrl: peers.smtp.url() } },
        purchaseFlow: {
          notificationService: { url: peers.notifications.url },
          // A purchase whose publish a failover lost is published again soon.
          outbox: { graceMs: 2000, maxDelayMs: 4000, intervalMs: 500 },
        },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await peers?.close();
    await profile?.dispose();
    await topology?.stop();
  });

  const buy = async () => {
    const response = await app.http
      .post('/api/v1/purchases')
      .send(purchaseRequest(await addCard(app.app.get(DataSource))));
    return response.status === 201 ? (response.body as { id: string }).id : undefined;
  };
  const delivered = (id: string) =>
    peers.receiptsOf(id).length > 0 && peers.notificationsOf(id).length > 0;

  it('serves a purchase end to end on its streams, and is ready', async () => {
    const id = (await buy())!;
    await eventually(() => delivered(id), 20_000, `the receipt and notification of ${id}`);
    const ready = await app.http.get('/health/ready').expect(200);
    expect(ready.body.details.broker).toMatchObject({ status: 'up', topology: topology.kind });
    if (topology.kind === 'cluster')
      expect(ready.body.details.broker.state).toBe('cluster_state ok, 3 masters');
    const streams = await scanKeys(redis, `${prefix}:stream:*`);
    expect(streams).toContain(`${prefix}:stream:{purchase.completed}`);
  });

  it('stores a burst published over events in different slots, split per slot', async () => {
    // Published in one event-loop turn: one script call per stream, pipelined by ioredis per
    // node. A single pipeline across slots would be refused on a Cluster.
    const events = ['burst.one', 'burst.two', 'burst.three', 'burst.four'];
    const slots = new Set(
      await Promise.all(
        events.map(async (event) =>
          topology.kind === 'cluster'
            ? Number(await (redis as Cluster).cluster('KEYSLOT', `${prefix}:stream:{${event}}`))
            : 0,
        ),
      ),
    );
    if (topology.kind === 'cluster') expect(slots.size).toBe(events.length);
    const bus = app.app.get(EventBus);
    const published = await Promise.all(
      events.flatMap((event) =>
        Array.from({ length: 50 }, (_, i) => bus.publish({ name: event }, { i }, 'test')),
      ),
    );
    expect(new Set(published.map((envelope) => envelope.id)).size).toBe(events.length * 50);
    for (const event of events) expect(await redis.xlen(`${prefix}:stream:{${event}}`)).toBe(50);
  });

  it('lists a dead letter and replays it to the pipeline that failed it', async () => {
    await app.http
      .post('/api/v1/test/orders')
      .send({ orderId: 'dead-on-topology', amount: 3, failTimes: 99 })
      .expect(201);
    const letter = await eventually(async () => {
      const letters = (await app.http.get('/api/v1/admin/dead-letters').expect(200)).body as {
        id: string;
        pipeline: string;
        envelope: { payload: { orderId: string } };
      }[];
      return letters.find((l) => l.envelope.payload.orderId === 'dead-on-topology');
    }, 20_000);
    expect(letter.pipeline).toBe('shipping');
    await app.http
      .post(`/api/v1/admin/dead-letters/${letter.id}/replay`)
      .send({ payload: { orderId: 'dead-on-topology', amount: 3, failTimes: 0 } })
      .expect(200);
    await eventually(
      () =>
        app.app
          .get(ReceivedEvents)
          .done('shipping', 'order.placed')
          .some((r) => (r.envelope.payload as { orderId: string }).orderId === 'dead-on-topology'),
      20_000,
      'the replayed order shipped',
    );
  });

  it('delivers every purchase it accepted when the master dies mid-flow', async () => {
    const accepted: string[] = [];
    let buying = true;
    const traffic = (async () => {
      while (buying) {
        const id = await buy();
        if (id) accepted.push(id);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await eventually(() => accepted.length >= 5, 20_000, 'purchases before the failover');
    await topology.failMasterOf(`${prefix}:stream:{purchase.completed}`);
    const atFailover = accepted.length;
    await eventually(() => accepted.length >= atFailover + 5, 30_000, 'purchases after it');
    buying = false;
    await traffic;
    await eventually(
      () => accepted.every(delivered),
      60_000,
      `the receipts and notifications of ${accepted.length} purchases`,
    );
    await eventually(
      async () => (await app.http.get('/health/ready')).status === 200,
      20_000,
      'readiness back',
    );
  });

  it('counts rate limits in that Redis', async () => {
    let status = 0;
    for (let i = 0; i <= RATE_LIMIT && status !== 429; i++) {
      status = (await app.http.get('/api/v1/admin/dead-letters?limit=1')).status;
    }
    expect(status).toBe(429);
    expect(await scanKeys(redis, `${prefix}:rate-limit:*`)).not.toEqual([]);
  });
});
