import { definePipeline } from '../../../../platform/pipeline/index.js';
import { importError, recordReprocess } from '../../kernel/record-events.js';

/** Asynchronous model, pipeline 3: republishes due records of the Object Store, or gives up on them. */
export const reprocessPipeline = definePipeline({
  name: 'reprocess',
  role: 'reprocessing',
  description:
    'Periodically hands due Object Store records back to process (record.reprocess), or marks them dead',
  publishes: [recordReprocess, importError],
});
