import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../../config/config.schema.js';
import { dataSourceOptions } from './data-source-options.js';

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
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.database),
          autoLoadEntities: true,
          // Fail at start instead of retrying for minutes: the orchestrator restarts us.
          retryAttempts: 2,
          retryDelay: 1000,
        }),
      ],
    };
  }
}
