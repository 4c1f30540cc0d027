import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.schema.js';
import { EventBusModule } from './platform/event-bus/event-bus.module.js';
import { HealthModule } from './platform/health/health.module.js';
import { correlationIdMiddleware } from './platform/http/correlation-id.middleware.js';
import { PersistenceModule } from './platform/persistence/persistence.module.js';
import type { PipelineEntry } from './platform/pipeline/pipeline-definition.js';

/** The application: the platform, plus the pipelines this process was asked to run. */
@Module({})
export class AppModule implements NestModule {
  static register(config: AppConfig, pipelines: readonly PipelineEntry[]): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(config),
        EventBusModule.forRoot(config),
        HealthModule,
        // Scheduled triggers (cron imports, reprocessing); its orchestrator stops them at shutdown.
        ScheduleModule.forRoot(),
        ...pipelines.map((entry) => entry.module),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationIdMiddleware).forRoutes('*path');
  }
}
