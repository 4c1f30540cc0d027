import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, type Migration } from './data-source-options.js';
import type { DatabaseConfig } from './persistence.config.js';
import { runMigrations } from './run-migrations.js';

/**
 * The database connection. Features bring their entities with `TypeOrmModule.forFeature`
 * (collected by `autoLoadEntities`) and their tables with migrations, which the application
 * composes from the platform's and every integration's.
 */
@Module({})
export class PersistenceModule {
  static forRoot(database: DatabaseConfig, migrations: readonly Migration[]): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(database, migrations),
            // Run below, under a lock, rather than by TypeORM at initialization.
            migrationsRun: false,
            autoLoadEntities: true,
            // Fail at start instead of retrying for minutes: the orchestrator restarts us.
            retryAttempts: 2,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            if (database.migrateOnStart) await runMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
    };
  }
}
