import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { DestinationStream } from 'pino';
import { AdminModule } from './admin/admin.module.js';
import { appMigrations } from './app-migrations.js';
import type { AppConfig } from './config/app-config.js';
import { AuthModule } from './platform/auth/index.js';
import { ConfigModule } from './platform/config/index.js';
import { EventBusModule } from './platform/event-bus/index.js';
import { HandledKeysPurgeModule } from './platform/handled-keys/index.js';
import { HealthModule } from './platform/health/index.js';
import {
  correlationIdMiddleware,
  RateLimitModule,
  ShutdownGate,
  UnmatchedPaths,
} from './platform/http/index.js';
import { LoggingModule } from './platform/logging/index.js';
import { MetricsModule } from './platform/metrics/index.js';
import { NotifiersModule } from './platform/notifiers/index.js';
import { ObjectStoreModule } from './platform/object-store/index.js';
import { PersistenceModule } from './platform/persistence/index.js';
import {
  configOf,
  type IntegrationDefinition,
  type PipelineEntry,
} from './platform/pipeline/index.js';
import { TracingModule } from './platform/tracing/index.js';
import { ReliabilityModule } from './platform/reliability/index.js';

export interface AppModuleOptions {
  /** Where the JSON log lines go; standard output when absent. */
  logStream?: DestinationStream;
  /** Runs last at shutdown, once the bus has drained: the tracing SDK sends its last spans. */
  onShutdown?: () => Promise<void>;
}

/**
 * The application: the platform, each module given its own settings, plus the pipelines of
 * the catalogue's integrations this process was asked to run, which inject theirs.
 */
const APP_SHUTDOWN = Symbol('APP_SHUTDOWN');

@Module({})
export class AppModule implements NestModule {
  static register(
    config: AppConfig,
    catalogue: readonly IntegrationDefinition[],
    pipelines: readonly PipelineEntry[],
    options: AppModuleOptions = {},
  ): DynamicModule {
    const { bus } = config;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, configOf(catalogue)),
        LoggingModule.forRoot(config.log, options.logStream),
        TracingModule.forRoot(config.tracing),
        PersistenceModule.forRoot(config.database, appMigrations(catalogue)),
        EventBusModule.forRoot(bus, config.shutdown, config.redis),
        HealthModule,
        RateLimitModule.forRoot(config.http.rateLimit, config.redis, bus),
        AuthModule.forRoot(config.auth, config.env),
        MetricsModule,
        NotifiersModule.forRoot(config.notifiers),
        ObjectStoreModule.forRoot(config.objectStore),
        HandledKeysPurgeModule.forRoot(config.handledKeys),
        // Outage alerts go to the support address the purchase flow's error treatment alerts
        // (SUPPORT_EMAIL): operators have one address for what needs a person.
        ReliabilityModule.forRoot({
          outageAlertAfterMs: bus.outageAlertAfterMs,
          supportEmail: config.errorTreatment.supportEmail,
        }),
        AdminModule,
        // Scheduled triggers (cron imports, reprocessing); its orchestrator stops them at shutdown.
        ScheduleModule.forRoot(),
        ...pipelines.map((entry) => entry.module),
      ],
      // UnmatchedPaths: every path nothing answers is a 404 problem, outside the API prefix too.
      providers: [
        ShutdownGate,
        UnmatchedPaths,
        ...(options.onShutdown
          ? [{ provide: APP_SHUTDOWN, useValue: { onApplicationShutdown: options.onShutdown } }]
          : []),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationIdMiddleware).forRoutes('*path');
  }
}
