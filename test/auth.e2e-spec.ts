import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/platform/auth/api-key-verifier.js';
import { parcelCatalogue } from './fixtures/admin/parcels.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { startTestApp, type TestApp, testToken } from './support/test-app.js';

const ADMIN_READ = '/api/v1/admin/pipelines';
const ADMIN_ONLY = '/api/v1/admin/audit';
const BUSINESS = '/api/v1/test/parcels';
const parcel = { parcelId: 'P-1', weight: 3 };

describe.each(profiles)('authentication and roles on the %s profile', (profileName) => {
  let profile: ProfileResources;
  const running: TestApp[] = [];

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
  });
  afterAll(async () => {
    await Promise.all(running.map((app) => app.close()));
    await profile?.dispose();
  });

  async function start(
    overrides: Parameters<typeof startTestApp>[1]['overrides'] = {},
  ): Promise<TestApp> {
    const app = await startTestApp(profile, { catalogue: parcelCatalogue, overrides });
    running.push(app);
    return app;
  }

  describe('with an HS256 secret', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await start();
    });

    it('answers 401 with problem details and WWW-Authenticate when no credentials come', async () => {
      for (const path of [ADMIN_READ, ADMIN_ONLY]) {
        const response = await app.anonymous.get(path).expect(401);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      }
      await app.anonymous.post(BUSINESS).send(parcel).expect(401);
    });

    it('refuses expired, badly signed, malformed and unsigned tokens', async () => {
      const expired = await testToken(['admin'], { expiresIn: Math.floor(Date.now() / 1000) - 60 });
      const forged = await testToken(['admin'], {
        secret: 'not-the-secret-of-this-application-at-all',
      });
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
        JSON.stringify({
          sub: 'mallory',
          roles: ['admin'],
          exp: Math.floor(Date.now() / 1000) + 600,
        }),
      ).toString('base64url')}.`;
      const cases: [string, string][] = [
        [`Bearer ${expired}`, 'token-expired'],
        [`Bearer ${forged}`, 'token-invalid'],
        [`Bearer ${unsigned}`, 'token-invalid'],
        ['Bearer not-a-jwt', 'token-invalid'],
        ['Basic YWRtaW46YWRtaW4=', 'token-invalid'],
      ];
      for (const [authorization, code] of cases) {
        const response = await app.anonymous
          .get(ADMIN_READ)
          .set('Authorization', authorization)
          .expect(401);
        expect(response.body.code, authorization).toBe(code);
        expect(response.headers['www-authenticate']).toContain('invalid_token');
      }
    });

    it('refuses a token without an expiry', async () => {
      const key = new TextEncoder().encode(app.config.auth.jwt.secret);
      const eternal = await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('forever')
        .sign(key);
      await app.anonymous.get(ADMIN_READ).set('Authorization', `Bearer ${eternal}`).expect(401);
    });

    it('answers 403 to the wrong role and serves the right one', async () => {
      await app.as('integration').get(ADMIN_READ).expect(403);
      await app.as('operator').get(ADMIN_READ).expect(200);
      await app.as('operator').get(ADMIN_ONLY).expect(403);
      await app.as('admin').get(ADMIN_ONLY).expect(200);
      // Business routes need integration (auth.defaultRoles); admin may do everything.
      const forbidden = await app.as('operator').post(BUSINESS).send(parcel).expect(403);
      expect(forbidden.body).toMatchObject({ status: 403, code: 'forbidden' });
      await app.as('integration').post(BUSINESS).send(parcel).expect(201);
      await app.as('admin').post(BUSINESS).send(parcel).expect(201);
    });

    it('needs no credentials for health and metrics', async () => {
      await app.anonymous.get('/health/live').expect(200);
      await app.anonymous.get('/metrics').expect(200);
    });
  });

  it('checks the issuer and the audience when they are configured', async () => {
    const app = await start({
      auth: { jwt: { issuer: 'https://idp.example', audience: 'tributary' } },
    });
    const key = new TextEncoder().encode(app.config.auth.jwt.secret);
    const sign = (iss: string, aud: string) =>
      new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('a')
        .setIssuer(iss)
        .setAudience(aud)
        .setExpirationTime('5m')
        .sign(key);
    await app.anonymous
      .get(ADMIN_READ)
      .set('Authorization', `Bearer ${await sign('https://idp.example', 'tributary')}`)
      .expect(200);
    await app.anonymous
      .get(ADMIN_READ)
      .set('Authorization', `Bearer ${await sign('https://evil.example', 'tributary')}`)
      .expect(401);
    await app.anonymous
      .get(ADMIN_READ)
      .set('Authorization', `Bearer ${await sign('https://idp.example', 'other-app')}`)
      .expect(401);
  });

  it('verifies RS256 tokens with a configured public key, and refuses HS256 ones then', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const app = await start({
      auth: { jwt: { secret: undefined, publicKey: await exportSPKI(publicKey) } },
    });
    const rs = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('op')
      .setExpirationTime('5m')
      .sign(privateKey);
    await app.anonymous.get(ADMIN_READ).set('Authorization', `Bearer ${rs}`).expect(200);
    // An HS256 token signed with the PEM text as secret: the classic algorithm confusion.
    const confused = await testToken(['admin'], { secret: await exportSPKI(publicKey) });
    await app.anonymous.get(ADMIN_READ).set('Authorization', `Bearer ${confused}`).expect(401);
  });

  it('verifies RS256 tokens against a JWKS served over HTTP', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    let fetched = 0;
    const server: Server = createServer((_req, res) => {
      fetched += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
      const app = await start({ auth: { jwt: { secret: undefined, jwksUrl: url } } });
      const sign = (kid: string, key = privateKey) =>
        new SignJWT({ roles: 'admin' })
          .setProtectedHeader({ alg: 'RS256', kid })
          .setSubject('idp-user')
          .setExpirationTime('5m')
          .sign(key);
      await app.anonymous
        .get(ADMIN_ONLY)
        .set('Authorization', `Bearer ${await sign('key-1')}`)
        .expect(200);
      expect(fetched).toBeGreaterThan(0);
      const other = await generateKeyPair('RS256');
      await app.anonymous
        .get(ADMIN_ONLY)
        .set('Authorization', `Bearer ${await sign('key-1', other.privateKey)}`)
        .expect(401);
    } finally {
      server.close();
    }
  });

  it('accepts API keys known by their hash, with their roles', async () => {
    const key = 'k3y-for-the-billing-system-0123456789abcdef';
    const app = await start({
      auth: { apiKeys: [{ name: 'billing', hash: hashApiKey(key), roles: ['integration'] }] },
    });
    await app.anonymous.post(BUSINESS).set('X-Api-Key', key).send(parcel).expect(201);
    await app.anonymous.get(ADMIN_READ).set('X-Api-Key', key).expect(403);
    const wrong = await app.anonymous
      .post(BUSINESS)
      .set('X-Api-Key', `${key}x`)
      .send(parcel)
      .expect(401);
    expect(wrong.body.code).toBe('api-key-invalid');
  });

  it('believes the gateway identity headers only from a trusted proxy address', async () => {
    const gateway = {
      enabled: true,
      userHeader: 'x-authenticated-user',
      rolesHeader: 'x-authenticated-roles',
    };
    const trusted = await start({ http: { trustedProxies: ['loopback'] }, auth: { gateway } });
    const asGateway = (app: TestApp) =>
      app.anonymous
        .get(ADMIN_READ)
        .set('X-Authenticated-User', 'alice@example.com')
        .set('X-Authenticated-Roles', 'operator');
    await asGateway(trusted).expect(200);
    await trusted.anonymous
      .get(ADMIN_ONLY)
      .set('X-Authenticated-User', 'alice@example.com')
      .set('X-Authenticated-Roles', 'operator')
      .expect(403);
    // Same headers, but the connection does not come from the gateway: ignored.
    const untrusted = await start({ http: { trustedProxies: ['203.0.113.7'] }, auth: { gateway } });
    await asGateway(untrusted).expect(401);
  });
});
