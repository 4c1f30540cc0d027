import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../src/platform/http/openapi.js';
import { parcelCatalogue } from './fixtures/admin/parcels.js';
import { openApiProblems } from './support/openapi-structure.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { registeredRoutes, toOpenApiPath } from './support/routes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe.each(profiles)('the OpenAPI document on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let document: Record<string, unknown> & {
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, { catalogue: parcelCatalogue });
    document = buildOpenApiDocument(app.app) as unknown as typeof document;
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  it('is structurally valid OpenAPI 3', () => {
    expect(openApiProblems(document)).toEqual([]);
  });

  it('documents every route the app registered', () => {
    const routes = registeredRoutes(app.app);
    expect(routes.length).toBeGreaterThan(15);
    const missing = routes.filter(
      (r) => !document.paths[toOpenApiPath(r.path)]?.[r.method.toLowerCase()],
    );
    expect(missing).toEqual([]);
  });

  it('gives every protected operation its auth scheme, roles and error answers; public ones none', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        const responses = op.responses as Record<string, { content?: Record<string, unknown> }>;
        if (['/health/live', '/health/ready', '/metrics'].includes(path)) {
          expect(op.security, where).toEqual([]);
          continue;
        }
        expect(op.security, where).toEqual([{ bearer: [] }, { 'api-key': [] }]);
        expect(op['x-roles'], where).toEqual(expect.any(Array));
        for (const status of ['401', '403', '429', '500']) {
          expect(
            responses[status]?.content?.['application/problem+json'],
            `${where} ${status}`,
          ).toBeDefined();
        }
      }
    }
    expect(document.paths['/api/v1/admin/audit']!.get!['x-roles']).toEqual(['admin']);
    expect(document.paths['/api/v1/admin/dead-letters/{id}/replay']!.post!['x-roles']).toEqual([
      'operator',
    ]);
    expect(document.paths['/api/v1/test/parcels']!.post!['x-roles']).toEqual(['integration']);
    const replay = document.paths['/api/v1/admin/dead-letters/{id}/replay']!.post!
      .responses as Record<string, unknown>;
    expect(Object.keys(replay).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '429',
      '500',
    ]);
  });

  it('documents every error answer as problem details with an example of its own status', () => {
    expect(errorAnswersNotAsSent(document)).toEqual([]);
  });
});

// The script builds the document on the embedded default: it needs no profile's servers.
describe('npm run openapi', () => {
  it('is written to a file by npm run openapi without any server', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-openapi-'));
    try {
      const out = join(dir, 'openapi.json');
      const root = resolve(import.meta.dirname, '..');
      // The script's entry, run from source as the compiled one would run (no build in a spec).
      execFileSync(
        process.execPath,
        ['--import', '@swc-node/register/esm-register', 'src/openapi.ts', out],
        {
          cwd: root,
          env: {
            ...process.env,
            REDIS_URL: '',
            DATABASE_URL: '',
            PUBLIC_BASE_URL: 'https://api.example.com/integration',
          },
          stdio: 'pipe',
          timeout: 60_000,
        },
      );
      const written = JSON.parse(readFileSync(out, 'utf8')) as Parameters<
        typeof errorAnswersNotAsSent
      >[0] & { servers?: unknown };
      expect(openApiProblems(written)).toEqual([]);
      // Every pipeline's routes, purchases and imports included.
      expect(errorAnswersNotAsSent(written)).toEqual([]);
      expect(written.servers).toEqual([{ url: 'https://api.example.com/integration' }]);
      expect(Object.keys(written.paths)).toEqual(
        expect.arrayContaining([
          '/metrics',
          '/api/v1/admin/pipelines',
          '/api/v1/admin/errors/{id}/itsm',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The error answers not documented as the app sends them: `application/problem+json` alone,
 * with an example of the answer's own status and title (Swagger UI shows it as the answer).
 */
function errorAnswersNotAsSent(document: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): string[] {
  const wrong: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const responses = op.responses as Record<string, { content?: Record<string, unknown> }>;
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const types = Object.keys(response.content ?? {});
        const media = response.content?.['application/problem+json'] as
          { example?: { status?: number; title?: string } } | undefined;
        if (types.join() !== 'application/problem+json')
          wrong.push(`${method} ${path} ${status} is documented as ${types.join() || 'nothing'}`);
        else if (media?.example?.status !== Number(status) || !media.example.title)
          wrong.push(
            `${method} ${path} ${status} has the example ${JSON.stringify(media?.example)}`,
          );
      }
    }
  }
  return wrong;
}
