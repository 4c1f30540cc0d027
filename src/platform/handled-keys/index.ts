/** Idempotent subscribers: a handler's writes and the mark of the business key it handled, in one transaction. */
export { HANDLED_KEYS_TABLE, HandledKeys, MAX_HANDLED_KEY_LENGTH } from './handled-keys.js';
export { HandledKeysModule } from './handled-keys.module.js';
