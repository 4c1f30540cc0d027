import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import type { DeepPartial } from '../src/platform/config/index.js';
import { integrations } from '../src/integrations/index.js';
import { ReverseProxy } from './harness/reverse-proxy.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { addCard, purchaseRequest } from './support/purchases.js';
import { rawRequest } from './support/raw-request.js';
import { startTestApp, type TestApp, testToken } from './support/test-app.js';

const PREFIX = '/integration';
/** The gateway (nginx) connects from 127.0.0.1; a caller going round it, from 127.0.0.2. */
const GATEWAY = ['127.0.0.1', '::ffff:127.0.0.1'];

const send = rawRequest;

/** The app listening on a loopback port, and nginx publishing it under /integration. */
async function behindProxy(profile: ProfileResources, http: DeepPartial<AppConfig['http']> = {}) {
  const app = await startTestApp(profile, {
    catalogue: integrations,
    overrides: { http: { trustedProxies: GATEWAY, ...http } },
  });
  await app.app.listen(0, '127.0.0.1');
  const upstream = (await app.app.getUrl()).replace('[::1]', '127.0.0.1');
  const proxy = await ReverseProxy.start({ upstream, prefix: PREFIX });
  return { app, upstream, proxy };
}

describe.each(profiles)('the app behind a prefixed reverse proxy on the %s profile', (name) => {
  let profile: ProfileResources;
  let app: TestApp;
  let upstream: string;
  let proxy: ReverseProxy;
  let admin: Record<string, string>;

  beforeAll(async () => {
    profile = await prepareProfile(name);
    ({ app, upstream, proxy } = await behindProxy(profile));
    admin = { authorization: `Bearer ${await testToken(['admin'])}` };
  });
  afterAll(async () => {
    await proxy?.stop();
    await app?.close();
    await profile?.dispose();
  });

  it('serves the OpenAPI document with the gateway URL as its server, per request', async () => {
    const viaProxy = await send(`${proxy.url}/docs-json`, {});
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.body.servers).toEqual([{ url: proxy.url }]);
    // The same app, asked directly, is not behind the prefix: the document is built per request.
    const direct = await send(`${upstream}/docs-json`, {});
    expect(direct.body.servers).toEqual([{ url: '/' }]);
    // A shared cache must not hand one caller's document to another.
    expect(viaProxy.headers.vary).toMatch(/X-Forwarded-Prefix/);
  });

  it('serves Swagger UI through the prefix, titled, keeping authorization, its calls to the gateway URL', async () => {
    const page = await send(`${proxy.url}/docs`, {});
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Tributary API</title>');
    const init = await send(`${proxy.url}/docs/swagger-ui-init.js`, {});
    expect(init.status).toBe(200);
    expect(init.text).toContain(`"url": "${proxy.url}"`);
    expect(init.text).toMatch(/"persistAuthorization": true/);
    expect(init.text).toMatch(/"deepLinking": true/);
  });

  it('gives a Location through the gateway, which leads back to the purchase', async () => {
    const card = await addCard(app.app.get(DataSource));
    const created = await send(`${proxy.url}/api/v1/purchases`, {
      method: 'POST',
      headers: admin,
      body: purchaseRequest(card),
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`${proxy.url}/api/v1/purchases/${created.body.id}`);
    const followed = await send(created.headers.location as string, { headers: admin });
    expect(followed.status).toBe(200);
    expect(followed.body.id).toBe(created.body.id);
  });

  it("gives an import's href and a problem's instance through the gateway", async () => {
    const started = await send(`${proxy.url}/api/v1/imports`, {
      method: 'POST',
      headers: admin,
      body: { source: 'sample' },
    });
    expect(started.status).toBe(202);
    expect(started.body.href).toBe(`${proxy.url}/api/v1/imports/${started.body.id}`);
    const missing = await send(`${proxy.url}/api/v1/nowhere?x=1`, { headers: admin });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.body.instance).toBe(`${proxy.url}/api/v1/nowhere`);
  });

  it("echoes the gateway's X-Request-Id under its own name and as the correlation id", async () => {
    const answer = await send(`${proxy.url}/health/live`, {});
    const requestId = answer.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id
    expect(answer.headers['x-correlation-id']).toBe(requestId);
    // A caller's own correlation id wins for the flow; the request id is still echoed.
    const own = await send(`${proxy.url}/health/live`, {
      headers: { 'x-correlation-id': 'order-42' },
    });
    expect(own.headers['x-correlation-id']).toBe('order-42');
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('ignores forwarded headers from a peer that is not the gateway', async () => {
    const forged = {
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-prefix': '/evil',
    };
    const port = new URL(upstream).port;
    const document = await send(`http://127.0.0.1:${port}/docs-json`, {
      headers: forged,
      from: '127.0.0.2',
    });
    expect(document.body.servers).toEqual([{ url: '/' }]);
    const missing = await send(`http://127.0.0.1:${port}/api/v1/nowhere`, {
      headers: { ...forged, ...admin },
      from: '127.0.0.2',
    });
    expect(missing.body.instance).toBe('/api/v1/nowhere');
  });

  it.each([
    ['x-forwarded-host', 'evil.example/steal'],
    ['x-forwarded-host', 'user@evil.example'],
    ['x-forwarded-host', 'evil example'],
    ['x-forwarded-prefix', '/../admin'],
    ['x-forwarded-prefix', '//evil.example'],
    ['x-forwarded-prefix', '/a%2f..'],
    ['x-forwarded-prefix', 'https://evil.example/'],
    ['x-forwarded-proto', 'javascript'],
  ])('refuses a malformed %s from the gateway (%s) with a 400', async (header, value) => {
    const answer = await send(`${upstream}/docs-json`, { headers: { [header]: value } });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ code: 'forwarded-header-invalid' });
    expect(JSON.stringify(answer.body)).not.toContain('evil');
  });

  it('believes only the value the nearest proxy appended', async () => {
    const answer = await send(`${upstream}/docs-json`, {
      headers: {
        'x-forwarded-host': 'evil.example, api.example.com',
        'x-forwarded-proto': 'http, https',
        'x-forwarded-prefix': '/evil, /integration',
      },
    });
    expect(answer.body.servers).toEqual([{ url: 'https://api.example.com/integration' }]);
  });
});

describe.each(profiles)('a gateway configuration on the %s profile', (name) => {
  let profile: ProfileResources;

  beforeAll(async () => {
    profile = await prepareProfile(name);
  });
  afterAll(async () => {
    await profile?.dispose();
  });

  it('refuses a forwarded host outside the allow-list, and exposes the ids to browsers', async () => {
    const { app, upstream, proxy } = await behindProxy(profile, {
      forwarded: { allowedHosts: ['api.example.com', '127.0.0.1'] },
      cors: { origins: ['https://console.example.com'] },
    });
    try {
      const unlisted = await send(`${upstream}/docs-json`, {
        headers: { 'x-forwarded-host': 'other.example.com' },
      });
      expect(unlisted.status).toBe(400);
      expect(unlisted.body.detail).toContain('http.forwarded.allowedHosts');
      const listed = await send(`${upstream}/docs-json`, {
        headers: { 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' },
      });
      expect(listed.body.servers).toEqual([{ url: 'https://api.example.com' }]);
      // The proxy's own host, allowed by name whatever its port.
      expect((await send(`${proxy.url}/docs-json`, {})).body.servers).toEqual([{ url: proxy.url }]);
      const cors = await send(`${proxy.url}/health/live`, {
        headers: { origin: 'https://console.example.com' },
      });
      const exposed = String(cors.headers['access-control-expose-headers']).split(',');
      expect(exposed).toEqual(expect.arrayContaining(['X-Correlation-Id', 'X-Request-Id']));
    } finally {
      await proxy.stop();
      await app.close();
    }
  });

  it('lets the configured public base URL win over any forwarded header', async () => {
    const base = 'https://api.example.com/integration';
    const { app, upstream, proxy } = await behindProxy(profile, { publicBaseUrl: base });
    try {
      expect((await send(`${proxy.url}/docs-json`, {})).body.servers).toEqual([{ url: base }]);
      const card = await addCard(app.app.get(DataSource));
      const created = await send(`${proxy.url}/api/v1/purchases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await testToken(['admin'])}` },
        body: purchaseRequest(card),
      });
      expect(created.headers.location).toBe(`${base}/api/v1/purchases/${created.body.id}`);
      // Even a malformed forwarded header is beside the point then.
      const forged = await send(`${upstream}/docs-json`, {
        headers: { 'x-forwarded-host': 'evil.example/steal' },
        from: '127.0.0.2',
      });
      expect(forged.body.servers).toEqual([{ url: base }]);
    } finally {
      await proxy.stop();
      await app.close();
    }
  });
});
