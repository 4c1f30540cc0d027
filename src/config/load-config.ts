import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ZodError } from 'zod';
import { ConfigError } from './config.error.js';
import { type AppConfig, configSchema } from './config.schema.js';
import { type EnvironmentVariable, environmentVariables } from './environment-variables.js';

type Json = Record<string, unknown>;

export interface LoadConfigOptions {
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Folder of `default.json` and `<NODE_ENV>.json`; defaults to `CONFIG_DIR` or `./config`. */
  configDir?: string;
  /** Applied after the files and before the environment: tests use it. */
  overrides?: DeepPartial<AppConfig>;
}

export type DeepPartial<T> = T extends unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * Builds the configuration: `config/default.json`, then `config/<NODE_ENV>.json`, then
 * overrides, then environment variables. Throws a {@link ConfigError} naming the key at fault.
 */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  const environment = env.NODE_ENV?.trim() || 'development';
  const dir = resolve(options.configDir ?? env.CONFIG_DIR ?? 'config');

  let merged = readJson(join(dir, 'default.json'), true);
  merged = deepMerge(merged, readJson(join(dir, `${environment}.json`), false));
  refuseSecretsInFiles(merged);
  merged = deepMerge(merged, (options.overrides ?? {}) as Json);
  merged = deepMerge(merged, { env: environment });
  for (const variable of environmentVariables) {
    const raw = env[variable.name];
    if (raw === undefined || raw.trim() === '') continue;
    setPath(merged, variable.path, parseVariable(variable, raw.trim()));
  }

  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(describe(result.error));
  return result.data;
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
function refuseSecretsInFiles(fromFiles: Json): void {
  for (const variable of environmentVariables) {
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

function describe(error: ZodError): string {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join('.');
    const variable = environmentVariables.find(
      (v) => v.path.join('.') === issue.path.slice(0, v.path.length).join('.'),
    );
    const name = variable ? `${variable.name} (${key})` : key || '(root)';
    return `  - ${name}: ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `over` merged into `base`, key by key; arrays and values replace, `undefined` leaves alone. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key], value) : value;
  }
  return out;
}

function getPath(source: Json, path: string[]): unknown {
  let node: unknown = source;
  for (const key of path) node = isPlainObject(node) ? node[key] : undefined;
  return node;
}

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1]!] = value;
}
