import { definePipeline } from '../../../../platform/pipeline/index.js';
import { importError, recordExtracted } from '../../kernel/record-events.js';
import { extractConfig } from './extract.config.js';

/** Asynchronous model, pipeline 1: reads a configured source page by page, one event per record. */
export const extractPipeline = definePipeline({
  name: 'extract',
  role: 'extraction',
  description:
    'Reads a configured source (SQL or paginated HTTP API) and publishes record.extracted per record',
  publishes: [recordExtracted, importError],
  config: [extractConfig],
});
