import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { appMigrations } from './app-migrations.js';
import { loadAppConfig } from './config/app-config.js';
import { integrations } from './integrations/index.js';
import { dataSourceOptions } from './platform/persistence/index.js';

/** For the TypeORM CLI (`npm run migration:run`): the same database and migrations the app has. */
export default new DataSource(
  dataSourceOptions(loadAppConfig().database, appMigrations(integrations)),
);
