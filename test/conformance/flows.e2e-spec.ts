import type { Cluster, Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { AppConfig } from '../../src/config/app-config.js';
import { integrations } from '../../src/integrations/index.js';
import type { DeepPartial } from '../../src/platform/config/index.js';
import { EventBus } from '../../src/platform/event-bus/event-bus.js';
import { scanKeys } from '../../src/platform/redis/index.js';
import { busCatalogue } from '../fixtures/bus/pipelines.js';
import { ReceivedEvents } from '../fixtures/bus/received-events.js';
import { TcpRelay } from '../harness/tcp-relay.js';
import { REDIS_URL } from '../support/profiles.js';
import {
  addCard,
  purchaseRequest,
  type PurchasePeers,
  startPurchasePeers,
} from '../support/purchases.js';
import { eventually, startTestApp, type TestApp } from '../support/test-app.js';
import { type Backend, backends, can, itWith, startBackend } from './backends.js';

/**
 * The purchase and import flows end to end on every backend, with what its broker can go through: an
 * outage (the single node behind a TCP relay the spec cuts) answered by readiness 503 and
 * recovered from, or a failover (the master killed, a replica promoted) after which every
 * accepted purchase is delivered. Rate limits are counted in the broker's Redis. One app per
 * backend for the file; on the single node it reaches Redis through the relay throughout.
 */

/** Rows of the import source. */
const PEOPLE = 25;

/** Requests per minute from one client: low enough to reach, high enough for the specs before. */
const RATE_LIMIT = 400;

const TOPOLOGY = {
  'in-process': 'in-process',
  redis: 'single',
  'redis-sentinel': 'sentinel',
  'redis-cluster': 'cluster',
} as const;

describe.each(backends)('the flows on the %s backend', (backendName) => {
  let backend: Backend;
  let peers: PurchasePeers;
  let relay: TcpRelay | undefined;
  let app: TestApp;
  let redis: Redis | Cluster | undefined;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    peers = await startPurchasePeers();
    let env = backend.env;
    if (can(backendName, 'broker-outage')) {
      const { hostname, port } = new URL(REDIS_URL);
      relay = new TcpRelay(hostname, Number(port || 6379));
      await relay.open();
      env = { ...env, REDIS_URL: `redis://127.0.0.1:${relay.port}` };
    }
    if (backendName !== 'in-process') {
      redis = backend.client();
      redis.on('error', () => undefined); // refused connections while a master is down
    }
    app = await startTestApp(backend.profile, {
      catalogue: [...integrations, ...busCatalogue],
      env,
      overrides: {
        importFlow: {
          sources: {
            people: {
              type: 'sql',
              connection: 'default',
              query: 'SELECT id, name, email, amount FROM flow_people',
              keyColumn: 'id',
              pageSize: 10,
            },
          },
          target: { table: 'import_target_records' },
        },
        http: { rateLimit: { ttlMs: 60_000, limit: RATE_LIMIT } },
        notifiers: { email: { smtpUrl: peers.smtp.url() } },
        purchaseFlow: {
          notificationService: { url: peers.notifications.url },
          // A purchase whose publish an outage or failover lost is published again soon.
          outbox: { graceMs: 2000, maxDelayMs: 4000, intervalMs: 500 },
        },
      } as DeepPartial<AppConfig>,
    });
    const db = app.app.get(DataSource);
    await db.query(
      'CREATE TABLE flow_people (id int PRIMARY KEY, name varchar(200), email varchar(254), amount decimal(12,2))',
    );
    for (let id = 1; id <= PEOPLE; id++)
      await db.query('INSERT INTO flow_people (id, name, email, amount) VALUES (?, ?, ?, ?)', [
        id,
        `Person ${id}`,
        `person${id}@example.com`,
        10 + id,
      ]);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await relay?.cut();
    redis?.disconnect();
    await peers?.close();
    await backend?.stop();
  });

  const buy = async () => {
    const response = await app.http
      .post('/api/v1/purchases')
      .send(purchaseRequest(await addCard(app.app.get(DataSource))));
    return response.status === 201 ? (response.body as { id: string }).id : undefined;
  };
  const delivered = (id: string) =>
    peers.receiptsOf(id).length > 0 && peers.notificationsOf(id).length > 0;
  const shipped = (orderId: string) =>
    app.app
      .get(ReceivedEvents)
      .done('shipping', 'order.placed')
      .some((r) => (r.envelope.payload as { orderId: string }).orderId === orderId);

  itWith(backendName, [], 'serves a purchase end to end, and is ready', async () => {
    const id = (await buy())!;
    await eventually(() => delivered(id), 20_000, `the receipt and notification of ${id}`);
    const ready = await app.http.get('/health/ready').expect(200);
    expect(ready.body.details.broker).toMatchObject({
      status: 'up',
      topology: TOPOLOGY[backendName],
    });
    if (backendName === 'redis-cluster')
      expect(ready.body.details.broker.state).toBe('cluster_state ok, 3 masters');
    if (redis) {
      const streams = await scanKeys(redis, `${backend.keyPrefix}:stream:*`);
      expect(streams).toContain(`${backend.keyPrefix}:stream:{purchase.completed}`);
    }
  });

  itWith(backendName, [], 'runs an import end to end through its four pipelines', async () => {
    const id = (
      await app.as('integration').post('/api/v1/imports').send({ source: 'people' }).expect(202)
    ).body.id as string;
    const done = await eventually(
      async () => {
        const progress = (await app.http.get(`/api/v1/imports/${id}`).expect(200)).body;
        return progress.status !== 'running' && progress;
      },
      40_000,
      'the import to settle',
    );
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ extracted: PEOPLE, processed: PEOPLE, pending: 0 });
    const [{ count }] = (await app.app
      .get(DataSource)
      .query('SELECT COUNT(*) AS count FROM import_target_records')) as { count: number }[];
    expect(Number(count)).toBe(PEOPLE);
  });

  itWith(
    backendName,
    [],
    'stores a burst published over events in different slots, split per slot',
    async () => {
      // Published in one event-loop turn: one script call per stream, pipelined by ioredis per
      // node. A single pipeline across slots would be refused on a Cluster.
      const events = ['burst.one', 'burst.two', 'burst.three', 'burst.four'];
      if (backendName === 'redis-cluster') {
        const slots = await Promise.all(
          events.map((event) =>
            (redis as Cluster).cluster('KEYSLOT', `${backend.keyPrefix}:stream:{${event}}`),
          ),
        );
        expect(new Set(slots).size).toBe(events.length);
      }
      const bus = app.app.get(EventBus);
      const published = await Promise.all(
        events.flatMap((event) =>
          Array.from({ length: 50 }, (_, i) => bus.publish({ name: event }, { i }, 'test')),
        ),
      );
      expect(new Set(published.map((envelope) => envelope.id)).size).toBe(events.length * 50);
      if (redis) {
        for (const event of events)
          expect(await redis.xlen(`${backend.keyPrefix}:stream:{${event}}`)).toBe(50);
      }
    },
  );

  itWith(
    backendName,
    ['broker-outage'],
    'answers readiness 503 while the broker is cut off, and delivers again once it is back',
    async () => {
      await app.http.post('/api/v1/test/orders').send({ orderId: 'before-cut', amount: 1 });
      await eventually(() => shipped('before-cut'), 10_000, 'the order before the cut');
      await relay!.cut();
      try {
        await eventually(
          async () => (await app.anonymous.get('/health/ready')).status === 503,
          10_000,
          'readiness 503 while cut',
        );
        const ready = await app.anonymous.get('/health/ready');
        expect(ready.body.detail).toBe('not ready: broker does not answer');
      } finally {
        await relay!.open();
      }
      await eventually(
        async () => (await app.anonymous.get('/health/ready')).status === 200,
        20_000,
        'readiness back',
      );
      await app.http
        .post('/api/v1/test/orders')
        .send({ orderId: 'after-cut', amount: 1 })
        .expect(201);
      await eventually(() => shipped('after-cut'), 20_000, 'the order after the cut');
      const id = (await buy())!;
      await eventually(() => delivered(id), 20_000, `the purchase after the cut`);
    },
  );

  itWith(
    backendName,
    ['failover'],
    'delivers every purchase it accepted when the master dies mid-flow',
    async () => {
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
      await backend.failMasterOf(`${backend.keyPrefix}:stream:{purchase.completed}`);
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
    },
    180_000,
  );

  itWith(
    backendName,
    [],
    'counts rate limits, in the broker’s Redis when there is one',
    async () => {
      let status = 0;
      for (let i = 0; i <= RATE_LIMIT && status !== 429; i++) {
        status = (await app.http.get('/api/v1/admin/dead-letters?limit=1')).status;
      }
      expect(status).toBe(429);
      if (redis) expect(await scanKeys(redis, `${backend.keyPrefix}:rate-limit:*`)).not.toEqual([]);
    },
  );
});
