/** The shared error contract (`PipelineError`), its resolution, and the error records. */
export { type AlertDecision, AlertThrottle } from './alert-throttle.js';
export { describeError, MAX_MESSAGE_LENGTH } from './describe-error.js';
export { ErrorRecord, type ErrorRecordStatus } from './error-record.entity.js';
export { defineResolutionEvent, ErrorResolved, MAX_RESOLVED_SUBJECTS } from './error-resolved.js';
export { ErrorStoreModule } from './error-store.module.js';
export { errorFingerprint, type ErrorRecordFilter, ErrorStore, type Page } from './error-store.js';
export {
  defineErrorEvent,
  ERROR_CODE,
  FailedEvent,
  FailedInputReference,
  MAX_SUBJECT_LENGTH,
  PipelineError,
} from './pipeline-error.js';
