import { defineIntegration } from '../../platform/pipeline/index.js';
import { importFlowConfig, reprocessConfig } from './import.config.js';
import { CreateImportFlow1764170000000 } from './migrations/1764170000000-create-import-flow.js';
import { CreateSampleSource1764170000001 } from './migrations/1764170000001-create-sample-source.js';
import { DropImportRecordsStateIndex1764190000000 } from './migrations/1764190000000-drop-import-records-state-index.js';
import { ErrorHandlingModule } from './pipelines/error-handling/error-handling.module.js';
import { errorHandlingPipeline } from './pipelines/error-handling/error-handling.pipeline.js';
import { ExtractModule } from './pipelines/extract/extract.module.js';
import { extractPipeline } from './pipelines/extract/extract.pipeline.js';
import { ProcessModule } from './pipelines/process/process.module.js';
import { processPipeline } from './pipelines/process/process.pipeline.js';
import { ReprocessModule } from './pipelines/reprocess/reprocess.module.js';
import { reprocessPipeline } from './pipelines/reprocess/reprocess.pipeline.js';

/**
 * The asynchronous model's reference integration: extract → process (failures kept in the
 * Object Store) → scheduled reprocessing → error handling. Its kernel holds the record events,
 * the imports and their records' states; `config` and `migrations` here are the kernel's (the
 * reprocessing schedule is the kernel's too: process backs off with it): each pipeline brings
 * its own in its definition.
 */
export const importIntegration = defineIntegration({
  name: 'import',
  description: 'Imports records from a source into a target, retrying what fails on a schedule',
  pipelines: [
    { pipeline: extractPipeline, module: ExtractModule },
    { pipeline: processPipeline, module: ProcessModule },
    { pipeline: reprocessPipeline, module: ReprocessModule },
    { pipeline: errorHandlingPipeline, module: ErrorHandlingModule },
  ],
  config: [importFlowConfig, reprocessConfig],
  migrations: [
    CreateImportFlow1764170000000,
    CreateSampleSource1764170000001,
    DropImportRecordsStateIndex1764190000000,
  ],
});
