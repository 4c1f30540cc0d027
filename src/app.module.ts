import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { AdminModule } from './admin/admin.module.js';
import { ScheduleModule } from '@nestjs/schedule';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.schema.js';
import { AuthModule } from './platform/auth/auth.module.js';
import { EventBusModule } from './platform/event-bus/event-bus.module.js';
import { HealthModule } from './platform/health/health.module.js';
import { correlationIdMiddleware } from './platform/http/correlation-id.middleware.js';
import { RateLimitModule } from './platform/http/rate-limit.module.js';
import { ShutdownGate } from './platform/http/shutdown-gate.js';
import { LoggingModule } from './platform/logging/logging.module.js';
import { MetricsModule } from './platform/metrics/metrics.module.js';
import { PersistenceModule } from './platform/persistence/persistence.module.js';
import { ReliabilityModule } from './platform/reliability/reliability.module.js';
import type { PipelineEntry } from './platform/pipeline/pipeline-definition.js';

export interface AppModuleOptions {
  /** Where the JSON log lines go; standard output when absent. */
  logStream?: DestinationStream;
}

/** The application: the platform, plus the pipelines this process was asked to run. */
@Module({})
export class AppModule implements NestModule {
  static register(
    config: AppConfig,
    pipelines: readonly PipelineEntry[],
    options: AppModuleOptions = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, options.logStream),
        PersistenceModule.forRoot(config),
        EventBusModule.forRoot(config),
        HealthModule,
        RateLimitModule.forRoot(config),
        AuthModule.forRoot(config),
        MetricsModule,
        ReliabilityModule,
        AdminModule,
        // Scheduled triggers (cron imports, reprocessing); its orchestrator stops them at shutdown.
        ScheduleModule.forRoot(),
        ...pipelines.map((entry) => entry.module),
      ],
      providers: [ShutdownGate],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationIdMiddleware).forRoutes('*path');
  }
}
