import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions, MigrationInterface } from 'typeorm';
import type { LoggerOptions } from 'typeorm/logger/LoggerOptions.js';
import { DatabaseLogger } from './database-logger.js';
import type { DatabaseConfig } from './persistence.config.js';
import { SqliteQuerySpans } from './sqlite-query-spans.js';

/** A migration class, as TypeORM runs it. */
export type Migration = new () => MigrationInterface;

/**
 * TypeORM options for the configured database: MySQL/MariaDB through mysql2 when
 * `DATABASE_URL` is set, otherwise the embedded SQLite file. The schema comes only from
 * the migrations (the platform's and every integration's, composed by the application), which
 * are written to run on both.
 */
export function dataSourceOptions(
  database: DatabaseConfig,
  migrations: readonly Migration[] = [],
): DataSourceOptions {
  const logging: LoggerOptions = database.logging ? ['error', 'warn', 'migration'] : ['error'];
  const common = {
    logger: new DatabaseLogger(database.logging),
    // Each migration in its own transaction: a failure leaves the ones before it applied.
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging,
  } as const;
  const composed = { ...common, migrations: [...migrations] };
  if (database.url) {
    return {
      ...composed,
      type: 'mysql',
      url: database.url,
      charset: 'utf8mb4',
      // Timestamps are stored and read in UTC, whatever the server's zone.
      timezone: 'Z',
      // `trace` off: mysql2 would capture a stack trace on every query, for errors whose
      // stack TypeORM replaces anyway (QueryFailedError); bench:import spent ~2% of its CPU there.
      extra: { connectionLimit: 20, trace: false },
    };
  }
  if (database.sqlitePath !== ':memory:')
    mkdirSync(dirname(database.sqlitePath), { recursive: true });
  return {
    ...composed,
    type: 'better-sqlite3',
    database: database.sqlitePath,
    enableWAL: true,
    // Spans for its statements, which no maintained instrumentation opens (mysql2's does on MySQL).
    subscribers: [SqliteQuerySpans],
  };
}
