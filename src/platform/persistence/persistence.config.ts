import { z } from 'zod';
import { type ConfigOf, defineConfig } from '../config/index.js';

/** The database: MySQL/MariaDB at `url`, else the embedded SQLite file. */
export const databaseConfig = defineConfig({
  key: 'database',
  schema: z
    .object({
      /** A mysql:// URL selects MySQL/MariaDB; absent, the embedded SQLite file. */
      url: z
        .string()
        .regex(/^(mysql|mariadb):\/\/.+/, 'a mysql:// or mariadb:// URL')
        .optional(),
      sqlitePath: z.string().min(1),
      migrateOnStart: z.boolean(),
      logging: z.boolean(),
    })
    .strict(),
  defaults: { sqlitePath: 'data/tributary.sqlite', migrateOnStart: true, logging: false },
  env: {
    url: { name: 'DATABASE_URL', parse: 'string' },
    sqlitePath: { name: 'SQLITE_PATH', parse: 'string' },
    migrateOnStart: { name: 'DATABASE_MIGRATE_ON_START', parse: 'boolean' },
  },
});

export type DatabaseConfig = ConfigOf<typeof databaseConfig>;
