import { definePipeline } from '../../../../platform/pipeline/index.js';
import { importError, importResolved } from '../../kernel/record-events.js';
import { targetConfig } from './process.config.js';

/** Asynchronous model, pipeline 2: the business rule, and the target writes. */
export const processPipeline = definePipeline({
  name: 'process',
  role: 'processing',
  description:
    'Validates and maps each record, upserts it into the target; failures go to the Object Store',
  publishes: [importError, importResolved],
  config: [targetConfig],
});
