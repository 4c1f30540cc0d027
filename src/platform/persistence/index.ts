/**
 * The database: the connection and its settings, portable migration columns, and the
 * statements pipelines share (multi-row writes, transactions, deadlock retries).
 */
export { BackgroundWrites } from './background-writes.js';
export { dataSourceOptions, type Migration } from './data-source-options.js';
export { inTransaction } from './in-transaction.js';
export { jsonTransformer } from './json.transformer.js';
export { migrationName, orderedMigrations } from './migration-names.js';
export { affectedRows, insertIgnoringRows, placeholders, upsertRows } from './multi-row.js';
export { type DatabaseConfig, databaseConfig } from './persistence.config.js';
export { PersistenceModule } from './persistence.module.js';
export { portableColumns } from './portable-columns.js';
export { isLockConflict, retryOnDeadlock } from './retry-on-deadlock.js';
export { runMigrations } from './run-migrations.js';
export { sqlTimestamp } from './sql-timestamp.js';
export { withinTimeRange } from './time-range.js';
