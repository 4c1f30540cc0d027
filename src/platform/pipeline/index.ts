/** Pipelines: how one is defined, the module each imports, and the `PIPELINES` selection. */
export {
  definePipeline,
  type PipelineDefinition,
  type PipelineEntry,
  type PipelineRole,
} from './pipeline-definition.js';
export { PipelineDescriptor } from './pipeline-descriptor.js';
export { PIPELINE_NAME } from './pipeline-name.js';
export { type PipelinesSelection, pipelinesConfig } from './pipeline.config.js';
export { PipelineModule } from './pipeline.module.js';
export { selectPipelines } from './pipeline-selection.js';
export {
  configOf,
  defineIntegration,
  type IntegrationDefinition,
  type IntegrationFragment,
  migrationsOf,
  pipelinesOf,
} from './integration-definition.js';
