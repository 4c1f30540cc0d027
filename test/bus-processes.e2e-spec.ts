import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Received } from './fixtures/bus/received-events.js';
import { type AppProcess, startAppProcess } from './harness/app-process.js';
import { Redis } from 'ioredis';
import {
  prepareProfile,
  profiles,
  type ProfileResources,
  processEnv,
  REDIS_URL,
} from './support/profiles.js';
import { eventually } from './support/test-app.js';

/**
 * Pipelines in separate OS processes can only meet through a broker they share, so these
 * specs are for the real profile (Redis Streams); the in-process bus lives inside one process.
 */
const ENTRY = 'test/fixtures/bus/main.ts';

describe.runIf(profiles.includes('real'))('pipelines in separate processes over Redis', () => {
  let profile: ProfileResources;
  let children: AppProcess[] = [];

  beforeAll(async () => {
    profile = await prepareProfile('real');
  });
  afterEach(async () => {
    await Promise.all(children.map((child) => child.kill()));
    children = [];
  });
  afterAll(async () => {
    await profile?.dispose();
  });

  async function start(pipelines: string, extra: Record<string, string> = {}): Promise<AppProcess> {
    const child = await startAppProcess({
      entry: ENTRY,
      env: { ...processEnv(profile, pipelines), ...extra },
    });
    children.push(child);
    return child;
  }

  async function receivedBy(child: AppProcess, state?: 'started' | 'done'): Promise<Received[]> {
    const response = await child.fetch(`/api/v1/test/received${state ? `?state=${state}` : ''}`);
    return (await response.json()) as Received[];
  }

  const forOrder = (orderId: string) => (r: Received) =>
    (r.envelope.payload as { orderId: string }).orderId === orderId;

  it('exchanges events between two processes started with different PIPELINES', async () => {
    const publisher = await start('orders');
    const subscribers = await start('audit,shipping');

    const response = await publisher.fetch('/api/v1/test/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'two-processes' },
      body: JSON.stringify({ orderId: 'across', amount: 10 }),
    });
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
  });

  it('has a live replica finish an event whose consumer died while handling it', async () => {
    const publisher = await start('orders');
    // This replica hangs in the handler, then is killed with the event still pending on it.
    const doomed = await start('shipping', { FIXTURE_HANG: '1' });
    await publisher.fetch('/api/v1/test/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'orphan', amount: 10, hang: true }),
    });
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
  });

  it('finishes the event in hand before a stopped process exits, and leaves nothing pending', async () => {
    const publisher = await start('orders');
    const worker = await start('shipping');
    await publisher.fetch('/api/v1/test/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: 'graceful', amount: 10, slowMs: 1500 }),
    });
    await eventually(
      async () => (await receivedBy(worker, 'started')).some(forOrder('graceful')),
      15_000,
      'the worker to take the event',
    );
    const redis = new Redis(REDIS_URL);
    const stream = `${profile.overrides.bus!.keyPrefix}:stream:{order.placed}`;
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
      // The stopped consumer left its group (the killed ones of earlier specs could not).
      const after = await consumers();
      expect(before.filter((name) => !after.includes(name))).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });
});

function chunk(flat: unknown[]): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([String(flat[i]), flat[i + 1]]);
  return pairs;
}
