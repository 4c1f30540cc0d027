import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import type { Received } from '../fixtures/bus/received-events.js';
import { type AppProcess, startAppProcess } from '../harness/app-process.js';
import { eventually } from '../support/test-app.js';
import { type Backend, backends, can, itWith, startBackend } from './backends.js';

/**
 * Pipelines in separate OS processes meet only through a broker they share: replicas share a
 * pipeline's events, a replica finishes what a SIGKILLed one held, a SIGTERMed one drains.
 * The in-process bus lives inside one process: reported not applicable there.
 */
const ENTRY = 'test/fixtures/bus/main.ts';
const ACROSS = ['durable', 'replicas-across-processes'] as const;

describe.each(backends)('pipelines in separate processes on the %s backend', (backendName) => {
  let backend: Backend;
  let children: AppProcess[] = [];

  beforeAll(async () => {
    // Several processes write one database: MariaDB, not SQLite's single writer.
    if (ACROSS.every((capability) => can(backendName, capability)))
      backend = await startBackend(backendName, { database: 'mysql' });
  }, 120_000);
  afterEach(async () => {
    await Promise.all(children.map((child) => child.kill()));
    children = [];
  });
  afterAll(async () => {
    await backend?.stop();
  });

  async function start(pipelines: string, extra: Record<string, string> = {}): Promise<AppProcess> {
    const child = await startAppProcess({
      entry: ENTRY,
      env: { ...backend.processEnv(pipelines), ...extra },
    });
    children.push(child);
    return child;
  }
  async function receivedBy(child: AppProcess, state?: 'started' | 'done'): Promise<Received[]> {
    const response = await child.fetch(`/api/v1/test/received${state ? `?state=${state}` : ''}`);
    return (await response.json()) as Received[];
  }
  const orderIdOf = (r: Received) => (r.envelope.payload as { orderId: string }).orderId;
  const forOrder = (orderId: string) => (r: Received) => orderIdOf(r) === orderId;
  const order = (publisher: AppProcess, body: object, headers: Record<string, string> = {}) =>
    publisher.fetch('/api/v1/test/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  itWith(
    backendName,
    [...ACROSS],
    'exchanges events between two processes started with different PIPELINES',
    async () => {
      const publisher = await start('orders');
      const subscribers = await start('audit,shipping');
      const response = await order(
        publisher,
        { orderId: 'across', amount: 10 },
        { 'x-correlation-id': 'two-processes' },
      );
      expect(response.status).toBe(201);
      const done = await eventually(
        async () => {
          const all = (await receivedBy(subscribers, 'done')).filter(forOrder('across'));
          return all.length === 3 && all;
        },
        15_000,
        'audit and shipping in the other process',
      );
      expect(done.map((r) => `${r.pipeline}:${r.event}`).sort()).toEqual([
        'audit:order.placed',
        'shipping:order.audited',
        'shipping:order.placed',
      ]);
      expect(done.every((r) => r.envelope.correlationId === 'two-processes')).toBe(true);
      // The publisher runs no subscriber pipeline, so it handled nothing itself.
      expect(await receivedBy(publisher)).toEqual([]);
    },
  );

  itWith(
    backendName,
    [...ACROSS],
    'shares a pipeline between its replicas, each event handled once by the pipeline',
    async () => {
      const publisher = await start('orders');
      const replicas = [await start('shipping'), await start('shipping')];
      const ids = Array.from({ length: 20 }, (_, i) => `shared-${i}`);
      for (const orderId of ids)
        expect((await order(publisher, { orderId, amount: 1, slowMs: 100 })).status).toBe(201);
      const handled = await eventually(
        async () => {
          const all = (await Promise.all(replicas.map((r) => receivedBy(r, 'done')))).map((list) =>
            list.filter((r) => r.event === 'order.placed' && ids.includes(orderIdOf(r))),
          );
          return all.flat().length >= ids.length && all;
        },
        30_000,
        'every order shipped',
      );
      await new Promise((r) => setTimeout(r, 500));
      const again = (await Promise.all(replicas.map((r) => receivedBy(r, 'done'))))
        .flat()
        .filter((r) => r.event === 'order.placed' && ids.includes(orderIdOf(r)));
      expect(again.map(orderIdOf).sort()).toEqual([...ids].sort());
      // Both took part: a handler of 100 ms holds one replica while the other reads on.
      expect(handled.every((list) => list.length > 0)).toBe(true);
    },
  );

  itWith(
    backendName,
    [...ACROSS, 'crash-takeover'],
    'has a live replica finish an event whose consumer was SIGKILLed while handling it',
    async () => {
      const publisher = await start('orders');
      // This replica hangs in the handler, then is killed with the event still pending on it.
      const doomed = await start('shipping', { FIXTURE_HANG: '1' });
      await order(publisher, { orderId: 'orphan', amount: 10, hang: true });
      await eventually(
        async () => (await receivedBy(doomed, 'started')).some(forOrder('orphan')),
        15_000,
        'the doomed replica to take the event',
      );
      await doomed.kill();

      const survivor = await start('shipping');
      const [finished] = await eventually(
        async () => {
          const done = (await receivedBy(survivor, 'done')).filter(forOrder('orphan'));
          return done.length > 0 && done;
        },
        20_000,
        'the surviving replica to take over the orphaned event',
      );
      // The dead consumer's delivery counted: this is the second.
      expect(finished!.attempt).toBe(2);
      await new Promise((r) => setTimeout(r, 500));
      expect((await receivedBy(survivor, 'done')).filter(forOrder('orphan'))).toHaveLength(1);
    },
  );

  itWith(
    backendName,
    [...ACROSS],
    'finishes the event in hand before a SIGTERMed process exits, and leaves nothing pending',
    async () => {
      const publisher = await start('orders');
      const worker = await start('shipping');
      await order(publisher, { orderId: 'graceful', amount: 10, slowMs: 1500 });
      await eventually(
        async () => (await receivedBy(worker, 'started')).some(forOrder('graceful')),
        15_000,
        'the worker to take the event',
      );
      const redis = backend.client();
      const stream = `${backend.keyPrefix}:stream:{order.placed}`;
      const consumers = async () =>
        ((await redis.xinfo('CONSUMERS', stream, 'shipping')) as unknown[][]).map((c) =>
          String(Object.fromEntries(chunk(c)).name),
        );
      try {
        const before = await consumers();
        // SIGTERM while the handler still has a second to go.
        await worker.stop();
        // Acknowledged only after the handler returned: nothing is left for another replica.
        const [pending] = (await redis.xpending(stream, 'shipping')) as [number];
        expect(pending).toBe(0);
        const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
        const shipping = groups
          .map((g) => Object.fromEntries(chunk(g)))
          .find((g) => g.name === 'shipping')!;
        expect(shipping.lag).toBe(0);
        // The stopped consumer left its group (the killed ones of earlier cases could not).
        const after = await consumers();
        expect(before.filter((name) => !after.includes(name))).toHaveLength(1);
      } finally {
        redis.disconnect();
      }
    },
  );
});

function chunk(flat: unknown[]): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([String(flat[i]), flat[i + 1]]);
  return pairs;
}
