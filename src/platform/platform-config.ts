import { authConfig } from './auth/auth.config.js';
import { type ConfigTree, environmentConfig } from './config/index.js';
import { busConfig, shutdownConfig } from './event-bus/event-bus.config.js';
import { httpConfig } from './http/http.config.js';
import { logConfig } from './logging/logging.config.js';
import { notifiersConfig } from './notifiers/notifiers.config.js';
import { objectStoreConfig } from './object-store/object-store.config.js';
import { databaseConfig } from './persistence/persistence.config.js';
import { pipelinesConfig } from './pipeline/pipeline.config.js';

/** The platform's configuration fragments, one per module that has settings. */
export const platformConfig = [
  environmentConfig,
  httpConfig,
  databaseConfig,
  busConfig,
  pipelinesConfig,
  shutdownConfig,
  objectStoreConfig,
  notifiersConfig,
  authConfig,
  logConfig,
] as const;

/** The platform's settings, each module's at its key. */
export type PlatformConfig = ConfigTree<typeof platformConfig>;
