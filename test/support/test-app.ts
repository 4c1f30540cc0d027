import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { SignJWT } from 'jose';
import type { DestinationStream } from 'pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import supertest from 'supertest';
import TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../../src/bootstrap.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadAppConfig as loadConfig } from '../../src/config/app-config.js';
import type { DeepPartial } from '../../src/platform/config/index.js';
import type { Role } from '../../src/platform/auth/role.js';
import { integrations } from '../../src/integrations/index.js';
import {
  configOf,
  defineIntegration,
  type IntegrationDefinition,
  migrationsOf,
  type PipelineEntry,
} from '../../src/platform/pipeline/index.js';
import type { ProfileResources } from './profiles.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** Sends an admin token with every request; `.set('Authorization', …)` replaces it. */
  http: TestAgent;
  /** Sends no credentials. */
  anonymous: TestAgent;
  /** Sends a token with these roles. */
  as(...roles: Role[]): TestAgent;
  close(): Promise<void>;
}

/** The HS256 secret the test apps accept, made for this test process only. */
export const TEST_JWT_SECRET = randomBytes(32).toString('base64url');

/** A token the test apps accept (unless a spec configures other keys), valid for ten minutes. */
export function testToken(
  roles: Role[],
  claims: { sub?: string; expiresIn?: string | number; secret?: string } = {},
): Promise<string> {
  const key = new TextEncoder().encode(claims.secret ?? TEST_JWT_SECRET);
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub ?? `tester-${roles.join('-') || 'none'}`)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '10m')
    .sign(key);
}

export interface StartOptions {
  /** The integrations whose pipelines run, and fixture pipelines (gathered in one integration). */
  catalogue: readonly (IntegrationDefinition | PipelineEntry)[];
  overrides?: DeepPartial<AppConfig>;
  /** Start the bus server (default true); false lets a spec publish before any trigger listens. */
  listen?: boolean;
  /** Captures the JSON log lines. */
  logStream?: DestinationStream;
  /** Environment variables read as a deployment's are (say REDIS_CLUSTER_NODES), over the files. */
  env?: Record<string, string>;
}

/**
 * Builds the config the way production does (files, then overrides), with the profile's
 * resources; `catalogue` adds the settings of integrations outside the application's.
 */
export function testConfig(
  profile: ProfileResources,
  overrides: DeepPartial<AppConfig> = {},
  catalogue: readonly IntegrationDefinition[] = [],
  env: Record<string, string> = {},
): AppConfig {
  return loadConfig(
    {
      env: { NODE_ENV: 'test', ...env },
      configDir: resolve(import.meta.dirname, '../../config'),
      overrides: merge(
        merge(profile.overrides, { auth: { jwt: { secret: TEST_JWT_SECRET } } }),
        overrides,
      ),
    },
    catalogue,
  );
}

/**
 * The catalogue a spec's app runs: its integrations, its fixture pipelines as one more, and the
 * application's other integrations without their pipelines, so that every spec app has the
 * whole schema and settings, as a deployed process has whatever `PIPELINES` selects.
 */
export function specCatalogue(
  catalogue: readonly (IntegrationDefinition | PipelineEntry)[],
): IntegrationDefinition[] {
  const running = catalogue.filter((item): item is IntegrationDefinition => 'pipelines' in item);
  const fixtures = catalogue.filter((item): item is PipelineEntry => 'pipeline' in item);
  const schemaOnly = integrations
    .filter((integration) => !running.includes(integration))
    .map((integration) => {
      // Its pipelines' settings and tables stay, only their modules are left out; a pipeline
      // the spec runs as a fixture brings its own.
      const idle = {
        ...integration,
        pipelines: integration.pipelines.filter(
          (entry) => !fixtures.some((fixture) => fixture.pipeline === entry.pipeline),
        ),
      };
      return { ...idle, config: configOf([idle]), migrations: migrationsOf([idle]), pipelines: [] };
    });
  const fixture = defineIntegration({
    name: 'spec-fixtures',
    description: "the spec's own pipelines",
    pipelines: fixtures,
  });
  return [...running, ...(fixtures.length > 0 ? [fixture] : []), ...schemaOnly];
}

/** Starts the real application (HTTP and event bus) for a profile, on an ephemeral port. */
export async function startTestApp(
  profile: ProfileResources,
  options: StartOptions,
): Promise<TestApp> {
  const catalogue = specCatalogue(options.catalogue);
  const config = testConfig(
    profile,
    merge(process.env.TEST_LOGS ? { log: { level: 'info' } } : {}, options.overrides ?? {}),
    catalogue,
    options.env,
  );
  const app = await createApp(config, catalogue, {
    logger: process.env.TEST_LOGS ? ['log', 'warn', 'error'] : ['error'],
    logStream: options.logStream,
  });
  await app.init();
  if (options.listen !== false) await app.startAllMicroservices();
  const server = app.getHttpServer();
  const agentWith = (token: string) =>
    supertest.agent(server).set('Authorization', `Bearer ${token}`);
  const tokens = new Map<string, string>();
  for (const roles of [['admin'], ['operator'], ['integration']] as Role[][])
    tokens.set(roles.join(','), await testToken(roles));
  return {
    app,
    config,
    http: agentWith(tokens.get('admin')!),
    anonymous: supertest.agent(server),
    as: (...roles) => {
      const token = tokens.get(roles.join(','));
      if (!token)
        throw new Error(`no ready token for roles ${roles.join(',')}: sign one with testToken()`);
      return agentWith(token);
    },
    close: () => app.close(),
  };
}

function merge<T>(base: T, over: unknown): T {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return (over ?? base) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries((over ?? {}) as Record<string, unknown>)) {
    // An override set to undefined removes the key (e.g. the test secret, to configure RS256).
    if (value === undefined) {
      delete out[key];
      continue;
    }
    out[key] = key in out ? merge(out[key], value) : value;
  }
  return out as T;
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */
type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as Truthy<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`,
  );
}
