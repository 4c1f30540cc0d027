/**
 * What ids in admin paths may look like. Anything else (a path traversal, an injection
 * string) is refused with a 400 before it reaches a store or the broker.
 */
export { EVENT_NAME } from '../../platform/event-bus/index.js';
export { PIPELINE_NAME } from '../../platform/pipeline/index.js';
/** Redis stream ids (`1700000000000-0`) and the in-process bus's sequence numbers. */
export const DEAD_LETTER_ID = /^[0-9]{1,20}(-[0-9]{1,20})?$/;
