import type { DataSource, EntityManager } from 'typeorm';

const turns = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in a transaction and returns its result. On the embedded SQLite database
 * TypeORM shares its one connection between every query runner, so two transactions at once
 * would nest as savepoints of each other and commit or roll back each other's work: there,
 * transactions take turns. Keep the work short (no calls to other services inside), and let
 * it fail rarely: on SQLite, queries made outside any transaction while one is open run on
 * that same connection, inside it, and a rollback takes them along.
 */
export function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (dataSource.options.type === 'mysql') return dataSource.transaction(work);
  const previous = turns.get(dataSource) ?? Promise.resolve();
  const turn = previous.then(() => dataSource.transaction(work));
  // The next turn waits for this one to end, not to succeed: its caller gets the failure.
  turns.set(
    dataSource,
    turn.catch(() => undefined),
  );
  return turn;
}
