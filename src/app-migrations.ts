import { platformMigrations } from '../migrations/index.js';
import type { Migration } from './platform/persistence/index.js';
import { type IntegrationDefinition, migrationsOf } from './platform/pipeline/index.js';

/**
 * The migrations of the platform and of every integration in `catalogue`, whatever `PIPELINES`
 * selects: one schema for every process. TypeORM runs them in timestamp order.
 */
export function appMigrations(catalogue: readonly IntegrationDefinition[]): Migration[] {
  return [...platformMigrations, ...migrationsOf(catalogue)];
}
