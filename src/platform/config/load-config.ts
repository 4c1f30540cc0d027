import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ZodError } from 'zod';
import { type ConfigTree, composeDefaults, composeSchema, variablesOf } from './compose-config.js';
import { ConfigError } from './config.error.js';
import type { ConfigFragment } from './config-fragment.js';
import type { EnvironmentVariable } from './environment-variables.js';
import { deepMerge, getPath, isPlainObject, type Json, setPath } from './json-tree.js';

export interface LoadConfigOptions<T = unknown> {
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Folder of `default.json` and `<NODE_ENV>.json`; defaults to `CONFIG_DIR` or `./config`. */
  configDir?: string;
  /** Applied after the files and before the environment: tests use it. */
  overrides?: DeepPartial<T>;
}

export type DeepPartial<T> = T extends unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * Builds the configuration of `fragments`: their defaults, then `config/default.json`, then
 * `config/<NODE_ENV>.json`, then overrides, then environment variables. Throws a
 * {@link ConfigError} naming the key at fault, and its variable when it has one.
 */
export function loadConfig<const F extends readonly ConfigFragment<unknown>[]>(
  fragments: F,
  options: LoadConfigOptions<ConfigTree<F>> = {},
): ConfigTree<F> {
  const env = options.env ?? process.env;
  const environment = env.NODE_ENV?.trim() || 'development';
  const dir = resolve(options.configDir ?? env.CONFIG_DIR ?? 'config');
  const variables = variablesOf(fragments);

  let fromFiles = readJson(join(dir, 'default.json'), false);
  fromFiles = deepMerge(fromFiles, readJson(join(dir, `${environment}.json`), false));
  refuseSecretsInFiles(fromFiles, variables);
  let merged = deepMerge(composeDefaults(fragments), fromFiles);
  merged = deepMerge(merged, (options.overrides ?? {}) as Json);
  merged = deepMerge(merged, { env: environment });
  for (const variable of variables) {
    const raw = env[variable.name];
    if (raw === undefined || raw.trim() === '') continue;
    setPath(merged, variable.path, parseVariable(variable, raw.trim()));
  }

  const result = composeSchema(fragments).safeParse(merged);
  if (!result.success)
    throw new ConfigError(describe(result.error, variables, formerKeysOf(fragments)));
  return result.data as ConfigTree<F>;
}

function readJson(file: string, required: boolean): Json {
  if (!existsSync(file)) {
    if (required) throw new ConfigError(`configuration file ${file} is missing`);
    return {};
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (error) {
    throw new ConfigError(
      `configuration file ${file} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** Credentials come from the environment only, so that no file in the repository holds one. */
function refuseSecretsInFiles(fromFiles: Json, variables: EnvironmentVariable[]): void {
  for (const variable of variables) {
    if (!variable.secret) continue;
    const value = getPath(fromFiles, variable.path);
    if (value === undefined || value === null) continue;
    const leaks =
      variable.secret === 'value' || (typeof value === 'string' && urlHasCredentials(value));
    if (leaks) {
      throw new ConfigError(
        `${variable.path.join('.')}: holds a secret; set it with the ${variable.name} environment variable, ` +
          'never in a configuration file',
      );
    }
  }
}

function urlHasCredentials(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.username !== '' || url.password !== '';
}

function parseVariable(variable: EnvironmentVariable, raw: string): unknown {
  switch (variable.parse) {
    case 'string':
      return raw;
    case 'integer':
      if (!/^-?\d+$/.test(raw)) {
        throw new ConfigError(`${variable.name}: expected an integer, got '${raw}'`);
      }
      return Number(raw);
    case 'boolean':
      if (!/^(true|false|1|0)$/i.test(raw)) {
        throw new ConfigError(`${variable.name}: expected true or false, got '${raw}'`);
      }
      return /^(true|1)$/i.test(raw);
    case 'list':
      return splitList(raw);
    case 'pipelines':
      return raw.toLowerCase() === 'all' ? 'all' : splitList(raw);
  }
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function formerKeysOf(fragments: readonly ConfigFragment<unknown>[]): Map<string, string> {
  return new Map(fragments.flatMap((fragment) => Object.entries(fragment.formerKeys)));
}

function describe(
  error: ZodError,
  variables: EnvironmentVariable[],
  formerKeys: Map<string, string>,
): string {
  const lines = error.issues.flatMap((issue) => {
    const key = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const moved = issue.keys
        .map((below) => [
          key ? `${key}.${below}` : below,
          formerKeys.get(key ? `${key}.${below}` : below),
        ])
        .filter((pair): pair is [string, string] => pair[1] !== undefined);
      if (moved.length === issue.keys.length) {
        return moved.map(
          ([old, now]) =>
            `  - ${old}: this key moved to ${now}; rename it in the configuration file`,
        );
      }
    }
    const variable = variables.find(
      (v) => v.path.join('.') === issue.path.slice(0, v.path.length).join('.'),
    );
    const name = variable ? `${variable.name} (${key})` : key || '(root)';
    return `  - ${name}: ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

/**
 * One fragment's settings from its defaults and `values`, validated: for a spec that builds a
 * service by hand, or a tool that needs one owner's settings without the whole configuration.
 */
export function settingsOf<T>(
  fragment: ConfigFragment<T>,
  values: DeepPartial<T> = {} as DeepPartial<T>,
): T {
  const merged =
    isPlainObject(fragment.defaults) && isPlainObject(values)
      ? deepMerge(fragment.defaults, values)
      : (values ?? fragment.defaults);
  const result = fragment.schema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  - ${[...fragment.path, ...issue.path].join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
