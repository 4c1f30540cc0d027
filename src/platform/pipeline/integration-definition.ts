import type { ConfigFragment } from '../config/index.js';
import type { Migration } from '../persistence/index.js';
import type { PipelineEntry } from './pipeline-definition.js';

/**
 * An integration: the pipelines of one flow with their kernel. The application lists the
 * integrations it can run (its catalogue) and composes, from each: the settings (every fragment
 * is loaded and validated, whatever `PIPELINES` selects), the migrations (all of them run, in
 * timestamp order with the platform's), and the pipelines `PIPELINES` picks from. Its own
 * `config` and `migrations` are its kernel's; each pipeline brings its own in its definition.
 */
export interface IntegrationDefinition<
  C extends readonly ConfigFragment<unknown>[] = readonly ConfigFragment<unknown>[],
  P extends readonly PipelineEntry[] = readonly PipelineEntry[],
> {
  /** Lower-case words joined by dashes, like a pipeline's. */
  readonly name: string;
  readonly description: string;
  readonly pipelines: P;
  /** The fragments of its kernel, each injected with `@InjectConfig(fragment)`. */
  readonly config: C;
  /** The migrations of its kernel's tables, whatever their order here. */
  readonly migrations: readonly Migration[];
}

/** Every configuration fragment of an integration: its kernel's and its pipelines'. */
export type IntegrationFragment<I extends IntegrationDefinition> =
  I['config'][number] | I['pipelines'][number]['pipeline']['config'][number];

/**
 * Declares an integration; its `config` and its pipelines' keep their types, so the
 * application's config type has them. A pipeline listed twice refuses.
 */
export function defineIntegration<
  const C extends readonly ConfigFragment<unknown>[] = [],
  const P extends readonly PipelineEntry[] = [],
>(definition: {
  name: string;
  description: string;
  pipelines: P;
  config?: C;
  migrations?: readonly Migration[];
}): IntegrationDefinition<C, P> {
  const integration = Object.freeze({
    ...definition,
    config: definition.config ?? ([] as unknown as C),
    migrations: definition.migrations ?? [],
  });
  pipelinesOf([integration]);
  return integration;
}

/**
 * Every pipeline of `integrations`, for `PIPELINES` to pick from. A name listed twice (in one
 * integration or two) refuses, naming it: `PIPELINES` could not tell which one it meant.
 */
export function pipelinesOf(integrations: readonly IntegrationDefinition[]): PipelineEntry[] {
  const owners = new Map<string, string>();
  const twice: string[] = [];
  for (const integration of integrations) {
    for (const { pipeline } of integration.pipelines) {
      const first = owners.get(pipeline.name);
      if (first !== undefined) {
        twice.push(
          `'${pipeline.name}' (in ${first === integration.name ? `'${first}' twice` : `'${first}' and '${integration.name}'`})`,
        );
      }
      owners.set(pipeline.name, integration.name);
    }
  }
  if (twice.length > 0) {
    throw new Error(`a pipeline is listed more than once: ${twice.join(', ')}`);
  }
  return integrations.flatMap((integration) => integration.pipelines);
}

/** Every configuration fragment of `integrations` (kernels' and pipelines'), each once. */
export function configOf(
  integrations: readonly IntegrationDefinition[],
): ConfigFragment<unknown>[] {
  return [
    ...new Set(
      integrations.flatMap((integration) => [
        ...integration.config,
        ...integration.pipelines.flatMap(({ pipeline }) => pipeline.config),
      ]),
    ),
  ];
}

/**
 * Every migration of `integrations` (kernels' and pipelines'), as listed: the application
 * checks that no name comes twice (`uniqueMigrations`).
 */
export function migrationsOf(integrations: readonly IntegrationDefinition[]): Migration[] {
  // A pipeline listed twice would bring its migrations twice: refuse it by its own name.
  pipelinesOf(integrations);
  return integrations.flatMap((integration) => [
    ...integration.migrations,
    ...integration.pipelines.flatMap(({ pipeline }) => pipeline.migrations),
  ]);
}
