import {
  type ConfigFragment,
  type ConfigTree,
  loadConfig,
  type LoadConfigOptions,
} from '../platform/config/index.js';
import {
  configOf,
  type IntegrationDefinition,
  type IntegrationFragment,
} from '../platform/pipeline/index.js';
import { platformConfig } from '../platform/platform-config.js';
import { integrations } from '../integrations/index.js';

type AppFragment =
  (typeof platformConfig)[number] | IntegrationFragment<(typeof integrations)[number]>;

/**
 * What this application is configured with: the platform's fragments and those of every
 * integration in the catalogue (its kernel's and its pipelines'), whatever `PIPELINES` selects, so that a process refuses a bad
 * setting of any pipeline it could run.
 */
export const appConfig: readonly ConfigFragment<unknown>[] = [
  ...platformConfig,
  ...configOf(integrations),
];

export type AppConfig = ConfigTree<AppFragment[]>;

/**
 * Loads and validates the application's configuration (see `loadConfig`); `extra` adds the
 * fragments of integrations outside the catalogue (a spec's fixtures).
 */
export function loadAppConfig(
  options: LoadConfigOptions<AppConfig> = {},
  extra: readonly IntegrationDefinition[] = [],
): AppConfig {
  const fragments = [...new Set([...appConfig, ...configOf(extra)])];
  return loadConfig(fragments, options as LoadConfigOptions<never>) as AppConfig;
}
