import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { integrations } from '../src/integrations/index.js';
import { manifestCatalogue, ShippedManifests } from './fixtures/gateway/manifests.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const BODY_LIMIT = 100 * 1024;
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** A manifest as a source sends it: many lines, each with nested free-form attributes. */
function manifest(id: string, lines: number) {
  return {
    manifestId: id,
    lines: Array.from({ length: lines }, (_, i) => ({
      sku: `SKU-${String(i).padStart(6, '0')}`,
      quantity: 1 + (i % 7),
      attributes: { colour: 'blue', size: 'M', dims: { w: 10, h: 4, unit: 'cm' }, tags: ['x'] },
    })),
  };
}

describe.each(profiles)('request limits on the %s profile', (name) => {
  let profile: ProfileResources;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile(name);
    app = await startTestApp(profile, {
      catalogue: [...integrations, ...manifestCatalogue],
      // The defaults but one, to show each limit is the configured one.
      overrides: { http: { bodyLimit: '100kb', limits: { maxArrayLength: 2500 } } },
    });
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const post = (path: string, body: string, type = 'application/json') =>
    app.http.post(path).set('Content-Type', type).send(body);

  it.each(['/api/v1/purchases', '/api/v1/imports', '/api/v1/test/manifests'])(
    'refuses a body nested thousands deep on %s with a 400 naming the limit, not a 500',
    async (path) => {
      const response = await post(path, nested(5000));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body).toMatchObject({ code: 'body-limit-exceeded' });
      expect(response.body.detail).toContain('http.limits.maxDepth (32)');
    },
  );

  it('refuses too long an array, too many keys, too large a body and another media type, each naming its limit', async () => {
    const longArray = await post(
      '/api/v1/test/manifests',
      JSON.stringify({ manifestId: 'm', lines: new Array(2501).fill(0) }),
    );
    expect(longArray.status).toBe(400);
    expect(longArray.body.detail).toContain('http.limits.maxArrayLength (2500), at $.lines');

    const keys = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 1]));
    const manyKeys = await post('/api/v1/purchases', JSON.stringify(keys));
    expect(manyKeys.status).toBe(400);
    expect(manyKeys.body.detail).toContain('http.limits.maxKeys (1000)');

    const tooLarge = await post('/api/v1/test/manifests', JSON.stringify(manifest('m', 2000)));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ title: 'Payload Too Large', code: 'body-too-large' });
    expect(tooLarge.body.detail).toContain('http.bodyLimit (100kb)');

    const text = await post('/api/v1/purchases', 'cardToken=x', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('unsupported-media-type');
    for (const refused of [longArray, manyKeys, tooLarge, text])
      expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(app.app.get(ShippedManifests).all).toEqual([]);
  });

  it('refuses malformed text and prototype poisoning before validation, with a 400 naming where', async () => {
    const surrogate = await post(
      '/api/v1/purchases',
      '{"cardToken":"t","amount":1,"currency":"EUR","merchantId":"m","merchantName":"m","purchaserEmail":"a\\ud800@b.c"}',
    );
    expect(surrogate.status).toBe(400);
    expect(surrogate.body).toMatchObject({ code: 'body-malformed-text' });
    expect(surrogate.body.detail).toContain('$.purchaserEmail');
    const proto = await post(
      '/api/v1/test/manifests',
      '{"manifestId":"m","lines":[],"__proto__":{"x":1}}',
    );
    expect(proto.status).toBe(400);
    expect(proto.body).toMatchObject({ code: 'body-forbidden-key' });
  });

  it('lets an operator replay a dead letter with an edited payload up to the body limit', async () => {
    await app.http
      .post('/api/v1/test/manifests')
      .send({ ...manifest('M-1', 2), fail: true })
      .expect(201);
    const bus = app.app.get(EventBus);
    const letter = await eventually(async () =>
      (await bus.listDeadLetters(10)).find((l) => l.event === 'manifest.received'),
    );
    // The largest edited manifest the body limit lets through, nested four deep.
    let lines = 1;
    while (JSON.stringify({ payload: manifest('M-1', lines + 1) }).length < BODY_LIMIT) lines++;
    const edited = manifest('M-1', lines);
    const size = JSON.stringify({ payload: edited }).length;
    expect(size).toBeGreaterThan(BODY_LIMIT - 200);

    const replayed = await app
      .as('operator')
      .post(`/api/v1/admin/dead-letters/${letter.id}/replay`)
      .send({ payload: edited });
    expect(replayed.status, replayed.text.slice(0, 300)).toBe(200);
    const shipped = await eventually(() => app.app.get(ShippedManifests).all[0]);
    expect(shipped.lines).toHaveLength(lines);
    expect(shipped.lines.at(-1)).toMatchObject({ attributes: { dims: { unit: 'cm' } } });
  });
});
