import {
  type ConfigFragment,
  type ConfigTree,
  loadConfig,
  type LoadConfigOptions,
} from '../platform/config/index.js';
import { platformConfig } from '../platform/platform-config.js';
import { pipelineConfig } from '../pipelines/index.js';

/**
 * What this application is configured with: the platform's fragments and those of every
 * integration in the catalogue, whatever `PIPELINES` selects, so that a process refuses a bad
 * setting of any pipeline it could run.
 */
export const appConfig = [...platformConfig, ...pipelineConfig] as const;

export type AppConfig = ConfigTree<typeof appConfig>;

/**
 * Loads and validates the application's configuration (see `loadConfig`); `extra` adds the
 * fragments of pipelines outside the catalogue (a spec's fixtures).
 */
export function loadAppConfig(
  options: LoadConfigOptions<AppConfig> = {},
  extra: readonly ConfigFragment<unknown>[] = [],
): AppConfig {
  return loadConfig(
    [...appConfig, ...extra.filter((f) => !appConfig.includes(f as never))],
    options,
  ) as AppConfig;
}
