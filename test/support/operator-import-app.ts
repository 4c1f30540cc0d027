import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import type { DeepPartial } from '../../src/platform/config/index.js';
import { integrations } from '../../src/integrations/index.js';
import type { ProfileResources } from './profiles.js';
import { startTestApp, type TestApp } from './test-app.js';

export interface PersonRow {
  id: number;
  name: string;
  email: string;
  amount: number;
}

/**
 * The real application with every pipeline and an import source `source` over a table of
 * people filled with `people`. Reprocessing runs only when a spec asks for it
 * (`POST /admin/reprocessing/run`), as an operator reviewing failed records would.
 */
export async function startOperatorImportApp(
  profile: ProfileResources,
  source: string,
  people: PersonRow[],
): Promise<TestApp> {
  const table = `${source}_people`;
  const overrides = {
    importFlow: {
      sources: {
        [source]: {
          type: 'sql',
          connection: 'default',
          query: `SELECT id, name, email, amount FROM ${table}`,
          keyColumn: 'id',
          pageSize: 10,
        },
      },
      target: { table: 'import_target_records' },
      reprocess: { intervalMs: 3_600_000 },
    },
  } as DeepPartial<AppConfig>;
  const app = await startTestApp(profile, { catalogue: integrations, overrides });
  const db = app.app.get(DataSource);
  await db.query(
    `CREATE TABLE ${table} (id int PRIMARY KEY, name varchar(200), email varchar(254), amount decimal(12,2))`,
  );
  for (const person of people) {
    await db.query(`INSERT INTO ${table} (id, name, email, amount) VALUES (?, ?, ?, ?)`, [
      person.id,
      person.name,
      person.email,
      person.amount,
    ]);
  }
  return app;
}
