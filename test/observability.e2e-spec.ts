import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parcelCatalogue, SortedParcels } from './fixtures/admin/parcels.js';
import { seedError } from './support/app-data.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/** The value of one series in Prometheus text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('} ')[0] ?? '';
    if (wanted.every((w) => labelText.includes(w))) return Number(line.split(' ').pop());
  }
  return 0;
}

/**
 * nestjs-pino keeps one pino instance per process, made by the first app: every app of this
 * file logs to the stream and level of the first one. One capture for the whole file, then.
 */
const lines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

describe.each(profiles)('observability and hardening on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: parcelCatalogue,
      logStream,
      overrides: { log: { level: 'info' } },
    });
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const metrics = async () => (await app.anonymous.get('/metrics').expect(200)).text;

  it('moves the metrics when events flow', async () => {
    const before = await metrics();
    const parcelId = `metrics-${profileName}`;
    await app.http.post('/api/v1/test/parcels').send({ parcelId, weight: 1 }).expect(201);
    await app.http
      .post('/api/v1/test/parcels')
      .send({ parcelId: `${parcelId}-bad`, weight: 1, fail: true })
      .expect(201);
    await eventually(() =>
      app.app.get(SortedParcels).all.some((e) => e.payload.parcelId === parcelId),
    );
    await seedError(app.app, { pipeline: 'sorting', code: 'metrics-check' });

    const after = await eventually(async () => {
      const text = await metrics();
      return (
        sample(text, 'tributary_events_dead_lettered_total', {
          event: 'parcel.received',
          pipeline: 'sorting',
        }) >
          sample(before, 'tributary_events_dead_lettered_total', {
            event: 'parcel.received',
            pipeline: 'sorting',
          }) && text
      );
    });
    const moved = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(
      moved('tributary_events_published_total', { event: 'parcel.received', source: 'parcels' }),
    ).toBe(2);
    expect(
      moved('tributary_events_consumed_total', { event: 'parcel.received', pipeline: 'sorting' }),
    ).toBe(1);
    expect(
      moved('tributary_events_failed_total', { event: 'parcel.received', pipeline: 'sorting' }),
    ).toBe(1);
    expect(
      moved('tributary_events_dead_lettered_total', {
        event: 'parcel.received',
        pipeline: 'sorting',
        reason: 'non-retriable',
      }),
    ).toBe(1);
    expect(
      moved('tributary_handler_duration_seconds_count', {
        event: 'parcel.received',
        pipeline: 'sorting',
        outcome: 'ack',
      }),
    ).toBe(1);
    expect(
      moved('tributary_http_requests_total', {
        method: 'POST',
        route: '/api/v1/test/parcels',
        status: '201',
      }),
    ).toBe(2);
    expect(sample(after, 'tributary_error_records', { pipeline: 'sorting', status: 'open' })).toBe(
      1,
    );
    expect(after).toMatch(
      /tributary_consumer_lag\{event="parcel.received",pipeline="sorting"\} \d+/,
    );
    expect(
      sample(after, 'tributary_stream_length', { event: 'parcel.received' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('writes JSON log lines that carry the correlation id, inside trigger handlers too', async () => {
    const correlationId = `logs-${profileName}`;
    await app.http
      .post('/api/v1/test/parcels')
      .set('X-Correlation-Id', correlationId)
      .set('X-Api-Key', 'never-logged')
      .send({ parcelId: `L-${profileName}`, weight: 1 })
      .expect(201);
    const handlerLine = await eventually(() =>
      lines.find((l) => l.msg === `sorting parcel L-${profileName}`),
    );
    expect(handlerLine).toMatchObject({ correlationId, context: 'SortingTrigger', level: 30 });
    expect(typeof handlerLine.causationId).toBe('string');
    const requestLine = await eventually(() =>
      lines.find((l) => l.msg === 'request completed' && l.correlationId === correlationId),
    );
    const text = JSON.stringify(requestLine);
    expect(text).not.toContain('never-logged');
    expect(text).not.toMatch(/Bearer [A-Za-z0-9]/);
  });

  it("logs what the bus does with a failed event in that event's flow", async () => {
    const correlationId = `dead-logs-${profileName}`;
    await app.http
      .post('/api/v1/test/parcels')
      .set('X-Correlation-Id', correlationId)
      .send({ parcelId: `D-${profileName}`, weight: 1, fail: true })
      .expect(201);
    const deadLine = await eventually(() =>
      lines.find(
        (l) =>
          typeof l.msg === 'string' &&
          l.msg.includes('dead-lettered') &&
          l.msg.includes(`D-${profileName}`),
      ),
    );
    expect(deadLine).toMatchObject({ correlationId, level: 50 });
    expect(typeof deadLine.causationId).toBe('string');
  });

  it('sends security headers and no CORS headers unless configured', async () => {
    const response = await app.anonymous
      .get('/health/live')
      .set('Origin', 'https://evil.example')
      .expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toBeDefined();
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers an oversized body with 413 problem details, and never a stack trace', async () => {
    const big = { parcelId: 'B-1', weight: 1, padding: 'x'.repeat(200 * 1024) };
    const response = await app.http.post('/api/v1/test/parcels').send(big).expect(413);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
    const malformed = await app.http
      .post('/api/v1/test/parcels')
      .set('Content-Type', 'application/json')
      .send('{"parcelId": ')
      .expect(400);
    expect(malformed.body.status).toBe(400);
    expect(malformed.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  describe('with CORS origins and a small rate limit', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp(profile, {
        catalogue: parcelCatalogue,
        overrides: {
          http: {
            cors: { origins: ['https://console.example'] },
            rateLimit: { ttlMs: 60_000, limit: 3 },
          },
        },
      });
    });
    afterAll(async () => {
      await limited?.close();
    });

    it('allows only the configured origin', async () => {
      const allowed = await limited.anonymous
        .options('/api/v1/admin/pipelines')
        .set('Origin', 'https://console.example')
        .set('Access-Control-Request-Method', 'GET');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example');
      const other = await limited.anonymous
        .options('/api/v1/admin/pipelines')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'GET');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('throttles a client past the limit, before authentication, but never health or metrics', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await limited.anonymous.get('/api/v1/admin/pipelines')).status);
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429]);
      const throttled = await limited.http.get('/api/v1/admin/pipelines').expect(429);
      expect(throttled.headers['retry-after']).toBeDefined();
      expect(throttled.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
      for (let i = 0; i < 5; i++) {
        await limited.anonymous.get('/health/live').expect(200);
        await limited.anonymous.get('/metrics').expect(200);
      }
    });
  });
});
