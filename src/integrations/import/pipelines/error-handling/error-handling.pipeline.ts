import { definePipeline } from '../../../../platform/pipeline/index.js';
import { errorHandlingConfig } from './error-handling.config.js';

/** Asynchronous model, pipeline 4: stores the flow's error events and alerts, aggregated. */
export const errorHandlingPipeline = definePipeline({
  name: 'error-handling',
  role: 'error-treatment',
  description:
    'Stores import.error events as error records, then opens one ITSM incident and sends one e-mail per import and error code',
  config: [errorHandlingConfig],
});
