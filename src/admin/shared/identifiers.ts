/**
 * What ids in admin paths may look like. Anything else (a path traversal, an injection
 * string) is refused with a 400 before it reaches a store or the broker.
 */
import { EVENT_NAME } from '../../platform/event-bus/index.js';

export { EVENT_NAME };
export { PIPELINE_NAME } from '../../platform/pipeline/index.js';
/** Redis stream ids (`1700000000000-0`) and the in-process bus's sequence numbers. */
export const DEAD_LETTER_ID = /^[0-9]{1,20}(-[0-9]{1,20})?$/;
/**
 * Where a page of dead letters ended: `<id>~<event>` (the id alone is ambiguous on Redis,
 * where two events' dead letters may share one), or a bare id as earlier clients send.
 */
export const DEAD_LETTER_CURSOR = new RegExp(
  `^[0-9]{1,20}(-[0-9]{1,20})?(~${EVENT_NAME.source.slice(1, -1)})?$`,
);
