import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, start } from './bootstrap.js';
import { ConfigError } from './config/config.error.js';
import { loadConfig } from './config/load-config.js';
import { pipelineCatalogue } from './pipelines/index.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config, pipelineCatalogue);
  await start(app, config);
  const logger = new Logger('Tributary');
  logger.log(`listening on ${await app.getUrl()} (API docs at /docs)`);
  logger.log(
    `database: ${config.database.url ? 'MySQL' : `embedded SQLite (${config.database.sqlitePath})`}; ` +
      `event bus: ${config.bus.redisUrl ? 'Redis Streams' : 'in-process'}`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`Tributary cannot start: ${error.message}`);
  } else {
    console.error('Tributary failed to start:', error);
  }
  process.exit(1);
});
