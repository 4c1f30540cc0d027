import { Inject } from '@nestjs/common';
import type { z } from 'zod';
import type { EnvironmentVariable, VariableParse } from './environment-variables.js';

/** What a fragment says of one of its environment variables, keyed by the setting it sets. */
export interface VariableSpec {
  /** The variable's name, e.g. `IMPORT_EXTRACT_MAX_BACKLOG`. */
  name: string;
  parse: VariableParse;
  secret?: EnvironmentVariable['secret'];
}

/** Reports a problem of a cross-fragment check, at `path` below the fragment's own key. */
export type ReportIssue = (path: readonly (string | number)[], message: string) => void;

/**
 * The settings one owner contributes to the configuration (a platform module, an integration,
 * a pipeline): where they sit (`key`, a dot path such as `importFlow.extract`), their zod
 * schema, their defaults and the environment variables that set them. The owner receives
 * exactly these settings, validated: a platform module through its `forRoot` options, an
 * integration or pipeline by injecting them ({@link InjectConfig}).
 */
export interface ConfigFragment<T = unknown, K extends string = string> {
  readonly key: K;
  /** `key` split on dots. */
  readonly path: readonly string[];
  readonly schema: z.ZodType<T>;
  /** The values used when no file, override or variable sets them (shaped like the input). */
  readonly defaults?: unknown;
  /** Every environment variable of the fragment, with the absolute key it sets. */
  readonly variables: readonly EnvironmentVariable[];
  /** Checks against settings of other fragments, run once everything parsed. */
  // A method, not a property: a fragment of any settings is then a `ConfigFragment<unknown>`.
  check?(settings: T, config: Record<string, unknown>, report: ReportIssue): void;
  /**
   * Keys an earlier release read elsewhere, absolute old path to absolute new one: a file that
   * still sets one is refused with the new key named, not a bare "unrecognized key".
   */
  readonly formerKeys: Readonly<Record<string, string>>;
  /** The injection token under which the application provides the validated settings. */
  readonly token: symbol;
}

/** The validated settings of a fragment: `ConfigOf<typeof importExtractConfig>`. */
export type ConfigOf<F> = F extends ConfigFragment<infer T> ? T : never;

type DeepPartialInput<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartialInput<T[K]> }
    : T;

/**
 * Declares a configuration fragment. Defaults live here, with the schema, so that adding a
 * setting touches its owner's folder only; `config/*.json`, overrides and environment variables
 * are laid over them.
 */
export function defineConfig<
  S extends z.ZodType,
  K extends string,
  Root = Record<string, unknown>,
>(definition: {
  key: K;
  schema: S;
  defaults?: DeepPartialInput<z.input<S>>;
  /** Environment variables, keyed by the dot path of the setting below `key` ('' for `key` itself). */
  env?: Record<string, VariableSpec>;
  /** A check that needs another fragment's settings, e.g. the bus's retention. */
  check?: (settings: z.output<S>, config: Root, report: ReportIssue) => void;
  /** Keys moved here from elsewhere: `{ 'bus.redisUrl': 'redis.url' }`. */
  formerKeys?: Record<string, string>;
}): ConfigFragment<z.output<S>, K> {
  const path = definition.key.split('.');
  if (path.some((part) => !/^[A-Za-z][A-Za-z0-9]*$/.test(part))) {
    throw new Error(`config key '${definition.key}' must be dot-separated camelCase words`);
  }
  const variables = Object.entries(definition.env ?? {}).map(([below, spec]) => ({
    ...spec,
    path: below === '' ? path : [...path, ...below.split('.')],
  }));
  return Object.freeze({
    key: definition.key,
    path,
    schema: definition.schema as z.ZodType<z.output<S>>,
    defaults: definition.defaults,
    variables,
    check: definition.check as ConfigFragment<z.output<S>>['check'],
    formerKeys: Object.freeze({ ...definition.formerKeys }),
    token: Symbol(`config:${definition.key}`),
  });
}

/** Injects the validated settings of `fragment` (provided by the application for integrations). */
export const InjectConfig = (fragment: ConfigFragment<unknown>): ParameterDecorator =>
  Inject(fragment.token);
