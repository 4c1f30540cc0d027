import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadAppConfig } from './config/app-config.js';
import { upgradeKeyLayout } from './platform/event-bus/index.js';
import {
  closeRedisConnection,
  connectWithin,
  createRedisConnection,
  describeRedis,
  topologyOf,
} from './platform/redis/index.js';

/**
 * `npm run bus:upgrade-keys`: moves the event bus's keys from the layout before hash tags to
 * the current one (see `upgradeKeyLayout`), on the Redis and key prefix the app is configured
 * with (REDIS_URL or REDIS_SENTINELS, BUS_KEY_PREFIX). Run it with every replica stopped: the
 * app refuses to start while old keys remain.
 */
const logger = new Logger('UpgradeBusKeys');
const config = loadAppConfig();
if (!topologyOf(config.redis)) {
  logger.error('no Redis configured (REDIS_URL or REDIS_SENTINELS): nothing to upgrade');
  process.exit(1);
}
const redis = createRedisConnection(config.redis, 'tributary-upgrade-keys', logger);
try {
  await connectWithin(redis, describeRedis(config.redis), config.bus.connectTimeoutMs);
  const report = await upgradeKeyLayout(redis, config.bus.keyPrefix);
  for (const line of report.streams) logger.log(`renamed ${line}`);
  logger.log(
    `${report.streams.length} streams renamed, ${report.deadLetters} dead letters moved under prefix ${config.bus.keyPrefix} on ${describeRedis(config.redis)}`,
  );
} catch (error) {
  logger.error(`upgrade failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeRedisConnection(redis);
}
