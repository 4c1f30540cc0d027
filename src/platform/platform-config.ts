import { authConfig } from './auth/index.js';
import { consoleConfig } from './console/index.js';
import { type ConfigTree, environmentConfig } from './config/index.js';
import { busConfig, shutdownConfig } from './event-bus/index.js';
import { handledKeysConfig } from './handled-keys/index.js';
import { httpConfig } from './http/index.js';
import { logConfig } from './logging/index.js';
import { notifiersConfig } from './notifiers/index.js';
import { objectStoreConfig } from './object-store/index.js';
import { databaseConfig } from './persistence/index.js';
import { pipelinesConfig } from './pipeline/index.js';
import { redisConfig } from './redis/index.js';
import { tracingConfig } from './tracing/index.js';

/** The platform's configuration fragments, one per module that has settings. */
export const platformConfig = [
  environmentConfig,
  httpConfig,
  databaseConfig,
  redisConfig,
  busConfig,
  pipelinesConfig,
  shutdownConfig,
  objectStoreConfig,
  handledKeysConfig,
  notifiersConfig,
  authConfig,
  logConfig,
  consoleConfig,
  tracingConfig,
] as const;

/** The platform's settings, each module's at its key. */
export type PlatformConfig = ConfigTree<typeof platformConfig>;
