import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrations } from '../src/integrations/index.js';
import { databaseOutage, type DatabaseOutage } from './harness/database-outage.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The real profile only: MariaDB is reached through a relay that is cut. The embedded SQLite
 * file cannot be cut off, and its reads never wait for a lock (WAL): no read route meets an
 * outage there.
 */
describe.runIf(profiles.includes('real'))('read routes while the database is down', () => {
  let profile: ProfileResources;
  let outage: DatabaseOutage;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile('real');
    outage = await databaseOutage(profile);
    app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: outage.overrides,
    });
  });
  afterAll(async () => {
    await outage?.end();
    await app?.close();
    await outage?.dispose();
    await profile?.dispose();
  });

  const routes = [
    `/api/v1/imports/${randomUUID()}`,
    `/api/v1/purchases/${randomUUID()}`,
    '/api/v1/admin/errors',
    '/api/v1/admin/object-store?store=process',
  ];

  it('answers 503 problem details with Retry-After, saying only what is down, then answers again', async () => {
    const before = await Promise.all(routes.map((route) => app.http.get(route)));
    expect(before.map((r) => r.status)).toEqual([404, 404, 200, 200]);

    await outage.begin();
    for (const route of routes) {
      const response = await app.http.get(route);
      expect(response.status, route).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(response.body).toMatchObject({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'the database does not answer; try again in a few seconds',
        instance: route.split('?')[0],
      });
      // Nothing of the driver's error: no address, code, SQL or stack.
      expect(response.text).not.toMatch(/ECONNREFUSED|PROTOCOL|127\.0\.0\.1|SELECT|at .*\.js/);
    }

    await outage.end();
    const after = await Promise.all(routes.map((route) => app.http.get(route)));
    expect(after.map((r) => r.status)).toEqual([404, 404, 200, 200]);
  });
});
