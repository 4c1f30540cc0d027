import { platformMigrations } from '../migrations/index.js';
import { type Migration, orderedMigrations } from './platform/persistence/index.js';
import { type IntegrationDefinition, migrationsOf } from './platform/pipeline/index.js';

/**
 * The migrations of the platform and of every integration in `catalogue` (their kernels' and
 * their pipelines'), whatever `PIPELINES` selects: one schema for every process. In the order
 * TypeORM runs them (timestamps); a name listed twice refuses, naming it.
 */
export function appMigrations(catalogue: readonly IntegrationDefinition[]): Migration[] {
  return orderedMigrations([...platformMigrations, ...migrationsOf(catalogue)]);
}
