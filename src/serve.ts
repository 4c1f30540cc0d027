import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, start } from './bootstrap.js';
import { loadAppConfig } from './config/app-config.js';
import { ConfigError } from './platform/config/index.js';
import { DevelopmentToken } from './platform/auth/index.js';
import { describeRedis, topologyOf } from './platform/redis/index.js';
import { integrations } from './integrations/index.js';
import { pipelinesOf, selectPipelines } from './platform/pipeline/index.js';
import type { Telemetry } from './telemetry.js';

/** Runs the app (`main.ts` imports it once tracing has started, see there). */
export async function serve(telemetry: Telemetry): Promise<void> {
  await main(telemetry).catch((error: unknown) => {
    telemetry.describePipelines([]);
    if (error instanceof ConfigError) {
      console.error(`Tributary cannot start: ${error.message}`);
    } else {
      console.error('Tributary failed to start:', error);
    }
    process.exit(1);
  });
}

async function main(telemetry: Telemetry): Promise<void> {
  const config = loadAppConfig();
  telemetry.describePipelines(
    selectPipelines(config.pipelines, pipelinesOf(integrations)).map(
      ({ pipeline }) => pipeline.name,
    ),
  );
  const app = await createApp(config, integrations, { onShutdown: () => telemetry.shutdown() });
  await start(app, config);
  const logger = new Logger('Tributary');
  logger.log(`listening on ${await app.getUrl()} (API docs at /docs)`);
  logger.log(
    `database: ${config.database.url ? 'MySQL' : `embedded SQLite (${config.database.sqlitePath})`}; ` +
      `event bus: ${topologyOf(config.redis) ? `Redis Streams on ${describeRedis(config.redis)}` : 'in-process'}`,
  );
  const { token } = app.get(DevelopmentToken);
  if (token) {
    // Development only, with no JWT key configured: a key made for this process, gone at exit.
    // Printed as plain text rather than a log line, for a person to copy.
    logger.log(
      'no JWT key configured: a development token was printed to standard output (development only)',
    );
    const url = `${await app.getUrl()}/api/v1/admin/pipelines`.replace('[::1]', 'localhost');
    console.log(
      `\nDevelopment token (role admin, valid 12 h, accepted by this process only):\n\n  ${token}\n\n` +
        `Try: curl -H "Authorization: Bearer ${token}" ${url}\n`,
    );
  }
}
