/** Idempotent subscribers: a handler's writes and the mark of the business key it handled, in one transaction. */
export { type HandledKeysConfig, handledKeysConfig } from './handled-keys.config.js';
export { HANDLED_KEYS_TABLE, HandledKeys, MAX_HANDLED_KEY_LENGTH } from './handled-keys.js';
export { HandledKeysModule } from './handled-keys.module.js';
export { HandledKeysPurgeModule } from './handled-keys-purge.module.js';
