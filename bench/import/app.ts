import { SignJWT } from 'jose';
import { resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/bootstrap.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadAppConfig as loadConfig } from '../../src/config/app-config.js';
import type { DeepPartial } from '../../src/platform/config/index.js';
import { integrations } from '../../src/integrations/index.js';

export const TARGET_TABLE = 'import_target_records';

/** What every application process of one bench scenario shares. */
export interface BenchAppOptions {
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
  /** The target service; absent, the target is the table only. */
  targetUrl?: string;
  /** Records per POST to the target service (importFlow.target.httpBatchSize); default 1. */
  targetBatchSize?: number;
  records: number;
  warmup: number;
  pageSize: number;
  /** HS256 secret the bench's app accepts; made per run, never stored. */
  jwtSecret: string;
}

/** A bearer token with the `integration` role, which starting an import needs. */
export function benchToken(secret: string): Promise<string> {
  return new SignJWT({ roles: ['integration'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
}

/**
 * Starts the application as production would (configuration files, then these overrides),
 * with the bench's sources `bench` (every row) and `warmup` (the first rows), on an ephemeral
 * loopback port.
 */
export async function startBenchApp(
  options: BenchAppOptions,
  pipelines: 'all' | string[],
): Promise<NestExpressApplication> {
  const source = {
    type: 'sql',
    connection: 'default',
    keyColumn: 'id',
    pageSize: options.pageSize,
  } as const;
  const overrides = {
    http: { port: 0 },
    database: { url: options.databaseUrl },
    redis: { url: options.redisUrl },
    bus: {
      keyPrefix: options.keyPrefix,
      retention: { maxLength: Math.max(1_000_000, options.records * 2) },
    },
    pipelines,
    auth: { jwt: { secret: options.jwtSecret } },
    // A line per progress poll would be noise in the bench's report.
    log: { level: 'warn' },
    importFlow: {
      sources: {
        bench: {
          ...source,
          query: 'SELECT id, name, email, amount FROM bench_source',
          maxAttempts: 5,
        },
        warmup: {
          ...source,
          query: `SELECT id, name, email, amount FROM bench_source WHERE id <= ${options.warmup}`,
        },
      },
      target: {
        table: TARGET_TABLE,
        httpUrl: options.targetUrl,
        timeoutMs: 10_000,
        httpBatchSize: options.targetBatchSize ?? 1,
      },
      // Short waits, so that the retry tail shows the flow's speed rather than its backoff.
      reprocess: {
        intervalMs: 100,
        baseDelayMs: 50,
        maxDelayMs: 500,
        leaseMs: 5_000,
        awaitMs: 10_000,
        batchSize: 1000,
      },
    },
  } as DeepPartial<AppConfig>;
  const config = loadConfig({
    env: { NODE_ENV: 'production' },
    configDir: resolve(import.meta.dirname, '../../config'),
    overrides,
  });
  const app = await createApp(config, integrations, { logger: ['error'] });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  return app;
}
