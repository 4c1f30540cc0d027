import type { DataSource } from 'typeorm';

const LOCK = 'tributary:migrations';

/**
 * Runs the pending migrations, one process at a time: replicas of several pipelines often
 * start together against one MySQL database, and TypeORM takes no lock of its own. MySQL's
 * advisory lock makes the others wait, then find nothing left to do. The embedded SQLite
 * file belongs to one process.
 */
export async function runMigrations(
  dataSource: DataSource,
  lockTimeoutSeconds = 120,
): Promise<void> {
  if (dataSource.options.type !== 'mysql') {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    const [row] = (await lockHolder.query('SELECT GET_LOCK(?, ?) AS acquired', [
      LOCK,
      lockTimeoutSeconds,
    ])) as { acquired: number | string }[];
    if (Number(row?.acquired) !== 1) {
      throw new Error(
        `another process held the migration lock for more than ${lockTimeoutSeconds} s`,
      );
    }
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await lockHolder.query('SELECT RELEASE_LOCK(?)', [LOCK]);
    }
  } finally {
    await lockHolder.release();
  }
}
