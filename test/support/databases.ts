import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import { appMigrations } from '../../src/app-migrations.js';
import { integrations } from '../../src/integrations/index.js';
import { dataSourceOptions } from '../../src/platform/persistence/data-source-options.js';

export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** The two databases the app runs on: the embedded SQLite file, and MariaDB/MySQL. */
export type DatabaseKind = 'sqlite' | 'mysql';

/** A database of one spec file's own, empty; `drop` deletes it. */
export interface SpecDatabase {
  kind: DatabaseKind;
  /** The `database` settings that select it, over the defaults. */
  settings: Partial<Pick<AppConfig['database'], 'url' | 'sqlitePath'>>;
  drop(): Promise<void>;
}

/**
 * A SQLite file in a temporary folder, or a MariaDB/MySQL database of its own at
 * `TEST_MYSQL_URL`: never skipped because the server is missing, the spec fails and says so.
 */
export async function createSpecDatabase(kind: DatabaseKind): Promise<SpecDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-test-'));
    return {
      kind,
      settings: { sqlitePath: join(dir, 'db.sqlite') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const database = `tributary_test_${randomBytes(4).toString('hex')}`;
  const admin = await connectMysql();
  await admin.query(
    `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await admin.end();
  return {
    kind,
    settings: { url: `${MYSQL_URL.replace(/\/$/, '')}/${database}` },
    drop: async () => {
      const conn = await connectMysql();
      await conn.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await conn.end();
    },
  };
}

/**
 * A database of the spec's own with every migration applied, open on `entities`: for a unit
 * spec of what owns a table, on the real schema. `close` closes and drops it.
 */
export async function openSpecDatabase(
  kind: DatabaseKind,
  entities: DataSourceOptions['entities'],
): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const database = await createSpecDatabase(kind);
  const options = dataSourceOptions(
    { sqlitePath: ':memory:', migrateOnStart: false, logging: false, ...database.settings },
    appMigrations(integrations),
  );
  const dataSource = await new DataSource({ ...options, entities }).initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

async function connectMysql() {
  try {
    return await createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
  } catch (error) {
    throw new Error(
      `the real test profile and the specs on MariaDB need MySQL/MariaDB at ${MYSQL_URL} (TEST_MYSQL_URL), which does not answer ` +
        `(${(error as Error).message}). Start it, or run TEST_PROFILES=embedded npm test on purpose.`,
    );
  }
}
