/** Configuration: fragments, their composition and loading. */
export { ConfigError } from './config.error.js';
export { ConfigModule } from './config.module.js';
export {
  type ConfigFragment,
  type ConfigOf,
  defineConfig,
  InjectConfig,
  type ReportIssue,
  type VariableSpec,
} from './config-fragment.js';
export { type ConfigTree, composeDefaults, variablesOf } from './compose-config.js';
export { environmentConfig } from './environment.config.js';
export type { EnvironmentVariable } from './environment-variables.js';
export { deepMerge, type Json } from './json-tree.js';
export { type DeepPartial, loadConfig, type LoadConfigOptions, settingsOf } from './load-config.js';
export {
  cronExpression,
  envName,
  httpUrl,
  millis,
  positiveInt,
  sqlIdentifier,
} from './setting-types.js';
