import type { Type } from '@nestjs/common';
import type { ConfigFragment } from '../config/config-fragment.js';
import type { EventDefinition } from '../event-bus/event-definition.js';
import type { Migration } from '../persistence/data-source-options.js';
import { PIPELINE_NAME } from './pipeline-name.js';

/** What a pipeline is for, in the words of the event-driven architecture it follows. */
export type PipelineRole =
  /** Synchronous model: applies business rules and answers its caller at once. */
  | 'business-rule'
  /** Reacts to events of other pipelines without knowing them. */
  | 'subscriber'
  /** Takes the error events of many pipelines: alerts or reprocessing. */
  | 'error-treatment'
  /** Asynchronous model, 1: reads a source and publishes an event per record. */
  | 'extraction'
  /** Asynchronous model, 2: applies the business rule to each record. */
  | 'processing'
  /** Asynchronous model, 3: republishes failed records on a schedule. */
  | 'reprocessing';

/**
 * A pipeline, with what it brings of its own: its settings and its tables. Its folder holds
 * them, so that adding a pipeline touches that folder and one line of its integration; its
 * entities come with its module (`TypeOrmModule.forFeature`).
 */
export interface PipelineDefinition<
  C extends readonly ConfigFragment<unknown>[] = readonly ConfigFragment<unknown>[],
> {
  /** Lower-case and dashes; also the consumer group of its triggers. */
  readonly name: string;
  readonly role: PipelineRole;
  readonly description: string;
  /** The events it publishes; each gets an injectable {@link Publisher}. */
  readonly publishes: readonly EventDefinition[];
  /**
   * Its own configuration fragments, each injected with `@InjectConfig(fragment)`: loaded and
   * validated whatever `PIPELINES` selects, like every fragment of the catalogue.
   */
  readonly config: C;
  /**
   * The migrations of its own tables. They run whatever `PIPELINES` selects (one schema for
   * every process), in timestamp order with all the others; a migration's class name is its
   * identity in the migrations table, so a moved migration keeps it.
   */
  readonly migrations: readonly Migration[];
}

/** A pipeline as the application composes it: its definition and its Nest module. */
export interface PipelineEntry<
  C extends readonly ConfigFragment<unknown>[] = readonly ConfigFragment<unknown>[],
> {
  readonly pipeline: PipelineDefinition<C>;
  readonly module: Type;
}

export function definePipeline<
  const C extends readonly ConfigFragment<unknown>[] = [],
>(definition: {
  name: string;
  role: PipelineRole;
  description: string;
  publishes?: EventDefinition[];
  config?: C;
  migrations?: readonly Migration[];
}): PipelineDefinition<C> {
  if (!PIPELINE_NAME.test(definition.name)) {
    throw new Error(`pipeline name '${definition.name}' must be lower-case words joined by dashes`);
  }
  return Object.freeze({
    ...definition,
    publishes: Object.freeze([...(definition.publishes ?? [])]),
    config: definition.config ?? ([] as unknown as C),
    migrations: Object.freeze([...(definition.migrations ?? [])]),
  });
}
