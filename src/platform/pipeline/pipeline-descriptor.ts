import type { PipelineDefinition } from './pipeline-definition.js';

/** Provided once per running pipeline, so the registry can discover it. */
export class PipelineDescriptor {
  constructor(readonly pipeline: PipelineDefinition) {}
}
