import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busCatalogue } from './fixtures/bus/pipelines.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import { TcpRelay } from './harness/tcp-relay.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

describe.each(profiles)('HTTP surface on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: busCatalogue,
      overrides: {
        http: { trustedProxies: ['127.0.0.1', '::1', '::ffff:127.0.0.1'], bodyLimit: '2kb' },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  it('answers liveness, and readiness with the database and the broker up', async () => {
    expect((await app.http.get('/health/live').expect(200)).body.status).toBe('ok');
    const ready = await app.http.get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({
      database: { status: 'up' },
      broker: { status: 'up', topology: profileName === 'real' ? 'single' : 'in-process' },
    });
  });

  it('serves Swagger UI and an OpenAPI document listing the routes', async () => {
    const ui = await app.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const document = (await app.http.get('/docs-json').expect(200)).body as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready', '/api/v1/test/orders']),
    );
  });

  it('echoes a plausible caller correlation id, or the gateway request id, and makes one up otherwise', async () => {
    const own = await app.http.get('/health/live').set('X-Correlation-Id', 'abc-123');
    expect(own.headers['x-correlation-id']).toBe('abc-123');
    const fromGateway = await app.http.get('/health/live').set('X-Request-Id', 'gw:42');
    expect(fromGateway.headers['x-correlation-id']).toBe('gw:42');
    const hostile = await app.http
      .get('/health/live')
      .set('X-Correlation-Id', '<script>alert(1)</script>');
    expect(hostile.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with problem details', async () => {
    const response = await app.http.get('/api/v1/nowhere').expect(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      instance: '/api/v1/nowhere',
    });
    expect(response.body.correlationId).toEqual(response.headers['x-correlation-id']);
  });

  it('answers every unmatched path with problem details, outside the API prefix too', async () => {
    for (const [method, path] of [
      ['get', '/nope'],
      ['post', '/nope/deeper?x=1'],
      ['get', '/api'],
      ['delete', '/health/live'],
      ['get', '/console-x'],
      ['get', '/docs-x/y'],
    ] as const) {
      const response = await app.http[method](path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers['content-type'], `${method} ${path}`).toContain(
        'application/problem+json',
      );
      expect(response.body).toMatchObject({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: `Cannot ${method.toUpperCase()} ${path}`,
        instance: path.split('?')[0],
      });
      expect(response.body.correlationId).toEqual(response.headers['x-correlation-id']);
    }
  });

  it('refuses bad input with 400 and the fields at fault, and publishes nothing', async () => {
    const missing = await app.http
      .post('/api/v1/test/orders')
      .send({ amount: 'ten', extra: 1 })
      .expect(400);
    expect(missing.body.code).toBe('validation-failed');
    const fields = (missing.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['orderId', 'amount', 'extra']));

    const malformed = await app.http
      .post('/api/v1/test/orders')
      .set('content-type', 'application/json')
      .send('{"orderId": ')
      .expect(400);
    expect(malformed.body.status).toBe(400);
    expect(JSON.stringify(malformed.body)).not.toMatch(/at .*\.js:\d+/);

    const oversized = await app.http
      .post('/api/v1/test/orders')
      .send({ orderId: 'x'.repeat(4096), amount: 1 })
      .expect(413);
    expect(oversized.body.title).toBe('Payload Too Large');
  });

  it('hides the details of an unexpected error behind a plain 500', async () => {
    const response = await app.http.get('/api/v1/test/http/boom').expect(500);
    expect(response.body).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(JSON.stringify(response.body)).not.toMatch(/SQL|DROP|ER_PARSE|stack|\.ts:/);
  });

  it('believes X-Forwarded-For only from a trusted gateway address', async () => {
    const viaGateway = await app.http
      .get('/api/v1/test/http/client-ip')
      .set('X-Forwarded-For', '203.0.113.9')
      .set('X-Forwarded-Proto', 'https');
    expect(viaGateway.body).toEqual({ ip: '203.0.113.9', protocol: 'https' });
  });
});

describe.each(profiles)('an untrusting HTTP surface on the %s profile', (profileName) => {
  it('ignores X-Forwarded-For when the caller is not a configured gateway', async () => {
    const profile = await prepareProfile(profileName);
    const app = await startTestApp(profile, {
      catalogue: busCatalogue,
      overrides: { pipelines: ['orders'] },
    });
    try {
      const direct = await app.http
        .get('/api/v1/test/http/client-ip')
        .set('X-Forwarded-For', '203.0.113.9');
      expect(direct.body.ip).not.toBe('203.0.113.9');
      expect(direct.body.ip).toMatch(/127\.0\.0\.1|::1/);
    } finally {
      await app.close();
      await profile.dispose();
    }
  });
});

describe.runIf(profiles.includes('real'))('the broker going away', () => {
  it('makes the process not ready, naming the broker, and ready again once it is back', async () => {
    const profile = await prepareProfile('real');
    const { hostname, port } = new URL(REDIS_URL);
    const proxy = new TcpRelay(hostname, Number(port || 6379));
    await proxy.open();
    const app = await startTestApp(profile, {
      catalogue: busCatalogue,
      overrides: {
        pipelines: ['orders', 'audit'],
        redis: { url: `redis://127.0.0.1:${proxy.port}` },
      },
    });
    try {
      await app.http.get('/health/ready').expect(200);
      await proxy.cut();
      await app.http.get('/health/live').expect(200);
      const notReady = await eventually(async () => {
        const response = await app.http.get('/health/ready');
        return response.status === 503 && response;
      });
      expect(notReady.body).toMatchObject({
        status: 503,
        code: 'not-ready',
        detail: 'not ready: broker does not answer',
      });

      await proxy.open();
      await eventually(
        async () => (await app.http.get('/health/ready')).status === 200,
        15_000,
        'readiness after the broker is back',
      );
      // And the bus works again: an order placed now reaches its subscriber.
      await app.http
        .post('/api/v1/test/orders')
        .send({ orderId: 'after-outage', amount: 1 })
        .expect(201);
      await eventually(() =>
        app.app
          .get(ReceivedEvents)
          .done('audit')
          .some((r) => (r.envelope.payload as { orderId: string }).orderId === 'after-outage'),
      );
    } finally {
      await app.close();
      await proxy.cut();
      await profile.dispose();
    }
  });

  it('stops at start with a message naming the broker when it does not answer', async () => {
    const profile = await prepareProfile('real');
    try {
      await expect(
        startTestApp(profile, {
          catalogue: busCatalogue,
          overrides: { redis: { url: 'redis://:secret@127.0.0.1:1' } },
        }),
      ).rejects.toThrow(/Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 did not answer within 2000 ms/);
    } finally {
      await profile.dispose();
    }
  });
});
