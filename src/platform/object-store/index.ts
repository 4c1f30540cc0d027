/** The Object Store: inputs a pipeline could not process, kept for reprocessing, and their states. */
export { type DiscardListener, ObjectStoreDiscards } from './object-store-discards.js';
export {
  OBJECT_STORE_STATUSES,
  ObjectStoreEntry,
  type ObjectStoreStatus,
} from './object-store-entry.entity.js';
export {
  type DiscardChange,
  type EntryChange,
  ObjectStoreOperations,
} from './object-store-operations.js';
export { type ObjectStoreConfig, objectStoreConfig } from './object-store.config.js';
export { ObjectStoreModule } from './object-store.module.js';
export {
  type Claim,
  type DoneOutcome,
  ObjectStore,
  type StoredError,
  type StoredFailure,
} from './object-store.js';
export { STORE_NAME } from './store-name.js';
