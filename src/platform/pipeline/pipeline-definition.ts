import type { Type } from '@nestjs/common';
import type { EventDefinition } from '../event-bus/event-definition.js';
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

export interface PipelineDefinition {
  /** Lower-case and dashes; also the consumer group of its triggers. */
  readonly name: string;
  readonly role: PipelineRole;
  readonly description: string;
  /** The events it publishes; each gets an injectable {@link Publisher}. */
  readonly publishes: readonly EventDefinition[];
}

/** A pipeline as the application composes it: its definition and its Nest module. */
export interface PipelineEntry {
  readonly pipeline: PipelineDefinition;
  readonly module: Type;
}

export function definePipeline(definition: {
  name: string;
  role: PipelineRole;
  description: string;
  publishes?: EventDefinition[];
}): PipelineDefinition {
  if (!PIPELINE_NAME.test(definition.name)) {
    throw new Error(`pipeline name '${definition.name}' must be lower-case words joined by dashes`);
  }
  return Object.freeze({
    ...definition,
    publishes: Object.freeze([...(definition.publishes ?? [])]),
  });
}
