import type { PipelineEntry } from '../platform/pipeline/pipeline-definition.js';
import { errorHandlingPipeline } from './error-handling/error-handling.pipeline.js';
import { ErrorHandlingModule } from './error-handling/error-handling.module.js';
import { extractPipeline } from './extract/extract.pipeline.js';
import { ExtractModule } from './extract/extract.module.js';
import { processPipeline } from './process/process.pipeline.js';
import { ProcessModule } from './process/process.module.js';
import { reprocessPipeline } from './reprocess/reprocess.pipeline.js';
import { ReprocessModule } from './reprocess/reprocess.module.js';

/**
 * Every pipeline this application can run. `PIPELINES` picks among them by name, so each
 * can be deployed and scaled on its own.
 */
export const pipelineCatalogue: readonly PipelineEntry[] = [
  // Asynchronous model (import flow): extract → process → reprocess → error handling.
  { pipeline: extractPipeline, module: ExtractModule },
  { pipeline: processPipeline, module: ProcessModule },
  { pipeline: reprocessPipeline, module: ReprocessModule },
  { pipeline: errorHandlingPipeline, module: ErrorHandlingModule },
];
