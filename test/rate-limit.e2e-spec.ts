import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareProfile,
  type ProfileName,
  profiles,
  type ProfileResources,
  REDIS_URL,
} from './support/profiles.js';
import { TcpRelay } from './harness/tcp-relay.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const LIMIT = 4;
/** Throttled before authentication: an anonymous call is a 401 until it is a 429. */
const ROUTE = '/api/v1/admin/pipelines';

/**
 * nestjs-pino keeps one pino instance per process, made by the first app: every app of this
 * file logs to this stream, at info, to capture what the rate limiter says of an outage.
 */
const lines: { level: number; msg: string }[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as { level: number; msg: string });
    done();
  },
});

function startReplica(profile: ProfileResources, redisUrl?: string): Promise<TestApp> {
  return startTestApp(profile, {
    catalogue: [],
    logStream,
    overrides: {
      http: { rateLimit: { ttlMs: 60_000, limit: LIMIT } },
      log: { level: 'info' },
      ...(redisUrl ? { redis: { url: redisUrl } } : {}),
    },
  });
}

/** Two apps on one profile's resources (database, Redis, key prefix), as two replicas are. */
function twoReplicas(name: ProfileName): { a: TestApp; b: TestApp } {
  const replicas = {} as { profile: ProfileResources; a: TestApp; b: TestApp };
  beforeAll(async () => {
    replicas.profile = await prepareProfile(name);
    replicas.a = await startReplica(replicas.profile);
    replicas.b = await startReplica(replicas.profile);
  });
  afterAll(async () => {
    await replicas.a?.close();
    await replicas.b?.close();
    await replicas.profile?.dispose();
  });
  return replicas;
}

/** One anonymous request per replica named, in that order. */
async function statuses(replicas: TestApp[]): Promise<number[]> {
  const out: number[] = [];
  for (const replica of replicas) out.push((await replica.anonymous.get(ROUTE)).status);
  return out;
}

describe.runIf(profiles.includes('real'))('rate limits shared by replicas through Redis', () => {
  const replicas = twoReplicas('real');

  it('limits requests spread over two replicas together, and answers the one past it with a 429 problem', async () => {
    const { a, b } = replicas;
    expect(await statuses([a, b, a, b])).toEqual([401, 401, 401, 401]);

    const throttled = await a.anonymous.get(ROUTE).expect(429);
    expect(throttled.headers['content-type']).toContain('application/problem+json');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.body).toEqual({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'too many requests: slow down and retry after the time in Retry-After',
      instance: ROUTE,
      correlationId: expect.any(String),
    });
    expect(throttled.text).not.toMatch(/at .*\.(ts|js):\d+/);
    // The block is shared too, and credentials do not lift it.
    await b.anonymous.get(ROUTE).expect(429);
    await b.http.get(ROUTE).expect(429);

    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${a.config.bus.keyPrefix}:rate-limit:*`);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });

  it('fails open while Redis is away: each replica counts in memory, then shares counts again', async () => {
    const own = await prepareProfile('real');
    const { hostname, port } = new URL(REDIS_URL);
    const proxy = new TcpRelay(hostname, Number(port || 6379));
    await proxy.open();
    const replica = await startReplica(own, `redis://127.0.0.1:${proxy.port}`);
    try {
      expect(await statuses([replica])).toEqual([401]);
      await proxy.cut();
      // Answered, never a 500; limited all the same, by this replica alone from zero.
      expect(await statuses([replica, replica, replica, replica, replica])).toEqual([
        401, 401, 401, 401, 429,
      ]);
      expect(
        lines.some((l) => l.level === 40 && /rate limits cannot be counted in Redis/.test(l.msg)),
      ).toBe(true);

      await proxy.open();
      // Blocked in memory for a minute: a 401 again means Redis counts (its one hit, plus this).
      await eventually(
        async () => (await replica.anonymous.get(ROUTE)).status === 401,
        15_000,
        'counting in Redis again',
      );
      expect(lines.some((l) => /counted in Redis again/.test(l.msg))).toBe(true);
    } finally {
      await replica.close();
      await proxy.cut();
      await own.dispose();
    }
  });
});

describe.runIf(profiles.includes('embedded'))('rate limits without Redis', () => {
  const replicas = twoReplicas('embedded');

  it('counts in the memory of each process', async () => {
    const { a, b } = replicas;
    expect(await statuses([a, a, a, a, a])).toEqual([401, 401, 401, 401, 429]);
    expect(await statuses([b, b, b, b, b])).toEqual([401, 401, 401, 401, 429]);
    await a.http.get(ROUTE).expect(429);
  });
});
