import type { ConfigFragment } from '../config/index.js';
import type { Migration } from '../persistence/index.js';
import type { PipelineEntry } from './pipeline-definition.js';

/**
 * An integration: the pipelines of one flow with their kernel. The application lists the
 * integrations it can run (its catalogue) and composes, from each: the settings (every fragment
 * is loaded and validated, whatever `PIPELINES` selects), the migrations (all of them run, in
 * timestamp order with the platform's), and the pipelines `PIPELINES` picks from.
 */
export interface IntegrationDefinition<
  C extends readonly ConfigFragment<unknown>[] = readonly ConfigFragment<unknown>[],
> {
  /** Lower-case words joined by dashes, like a pipeline's. */
  readonly name: string;
  readonly description: string;
  readonly pipelines: readonly PipelineEntry[];
  /** The fragments of its kernel and pipelines, each injected with `@InjectConfig(fragment)`. */
  readonly config: C;
  /** The migrations of its kernel and pipelines, whatever their order here. */
  readonly migrations: readonly Migration[];
}

/** Declares an integration; its `config` keeps its types, so the application's config type has them. */
export function defineIntegration<
  const C extends readonly ConfigFragment<unknown>[] = [],
>(definition: {
  name: string;
  description: string;
  pipelines: readonly PipelineEntry[];
  config?: C;
  migrations?: readonly Migration[];
}): IntegrationDefinition<C> {
  return Object.freeze({
    ...definition,
    config: definition.config ?? ([] as unknown as C),
    migrations: definition.migrations ?? [],
  });
}

/** Every pipeline of `integrations`, for `PIPELINES` to pick from. */
export function pipelinesOf(integrations: readonly IntegrationDefinition[]): PipelineEntry[] {
  return integrations.flatMap((integration) => integration.pipelines);
}

/** Every configuration fragment of `integrations`, each once. */
export function configOf(
  integrations: readonly IntegrationDefinition[],
): ConfigFragment<unknown>[] {
  return [...new Set(integrations.flatMap((integration) => integration.config))];
}

/** Every migration of `integrations`, each once. */
export function migrationsOf(integrations: readonly IntegrationDefinition[]): Migration[] {
  return [...new Set(integrations.flatMap((integration) => integration.migrations))];
}
