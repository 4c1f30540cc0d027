import { resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import supertest from 'supertest';
import TestAgent from 'supertest/lib/agent.js';
import { createApp } from '../../src/bootstrap.js';
import type { AppConfig } from '../../src/config/config.schema.js';
import { type DeepPartial, loadConfig } from '../../src/config/load-config.js';
import type { PipelineEntry } from '../../src/platform/pipeline/pipeline-definition.js';
import type { ProfileResources } from './profiles.js';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  http: TestAgent;
  close(): Promise<void>;
}

export interface StartOptions {
  catalogue: readonly PipelineEntry[];
  overrides?: DeepPartial<AppConfig>;
  /** Start the bus server (default true); false lets a spec publish before any trigger listens. */
  listen?: boolean;
}

/** Builds the config the way production does (files, then overrides), with the profile's resources. */
export function testConfig(profile: ProfileResources, overrides: DeepPartial<AppConfig> = {}): AppConfig {
  return loadConfig({
    env: { NODE_ENV: 'test' },
    configDir: resolve(import.meta.dirname, '../../config'),
    overrides: merge(profile.overrides, overrides),
  });
}

/** Starts the real application (HTTP and event bus) for a profile, on an ephemeral port. */
export async function startTestApp(profile: ProfileResources, options: StartOptions): Promise<TestApp> {
  const config = testConfig(profile, options.overrides);
  const app = await createApp(config, options.catalogue, {
    logger: process.env.TEST_LOGS ? ['log', 'warn', 'error'] : ['error'],
  });
  await app.init();
  if (options.listen !== false) await app.startAllMicroservices();
  return {
    app,
    config,
    http: supertest(app.getHttpServer()),
    close: () => app.close(),
  };
}

function merge<T>(base: T, over: unknown): T {
  if (typeof base !== 'object' || base === null || Array.isArray(base)) return (over ?? base) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries((over ?? {}) as Record<string, unknown>)) {
    out[key] = key in out ? merge(out[key], value) : value;
  }
  return out as T;
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */
type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export async function eventually<T>(probe: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as Truthy<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
}
