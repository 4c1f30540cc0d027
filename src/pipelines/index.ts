import type { PipelineEntry } from '../platform/pipeline/pipeline-definition.js';

/**
 * Every pipeline this application can run. `PIPELINES` picks among them by name, so each
 * can be deployed and scaled on its own.
 */
export const pipelineCatalogue: readonly PipelineEntry[] = [];
