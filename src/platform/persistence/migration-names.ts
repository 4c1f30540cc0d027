import type { Migration } from './data-source-options.js';

/**
 * A migration's identity in the migrations table, as TypeORM reads it: its `name`, or its
 * class name; both end with the timestamp that orders it.
 */
export function migrationName(migration: Migration): string {
  return new migration().name ?? migration.name;
}

/**
 * The migrations in the order TypeORM runs them (by the timestamp ending their name), refusing
 * a name that comes twice: the migrations table keys on the name, so the second would never
 * run (or, the same class listed twice, says the catalogue lists something twice). TypeORM
 * checks this too, but only when it runs them; this refuses at start, naming them.
 */
export function orderedMigrations(migrations: readonly Migration[]): Migration[] {
  const named = migrations.map((migration) => ({ migration, name: migrationName(migration) }));
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const { name } of named) (seen.has(name) ? twice : seen).add(name);
  if (twice.size > 0) {
    throw new Error(`two migrations are named ${[...twice].map((n) => `'${n}'`).join(', ')}`);
  }
  for (const { name } of named) {
    if (!/\d{13}$/.test(name)) {
      throw new Error(`migration '${name}' must end with its 13-digit timestamp`);
    }
  }
  return named
    .sort((a, b) => Number(a.name.slice(-13)) - Number(b.name.slice(-13)))
    .map(({ migration }) => migration);
}
