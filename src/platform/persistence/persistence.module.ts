import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../../config/config.schema.js';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';
import { runMigrations } from './run-migrations.js';

/**
 * The database connection. Features bring their entities with `TypeOrmModule.forFeature`
 * (collected by `autoLoadEntities`) and their tables with a migration in `migrations/`.
 */
@Module({})
export class PersistenceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(config.database),
            // Run below, under a lock, rather than by TypeORM at initialization.
            migrationsRun: false,
            autoLoadEntities: true,
            // Fail at start instead of retrying for minutes: the orchestrator restarts us.
            retryAttempts: 2,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            if (config.database.migrateOnStart) await runMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
    };
  }
}
