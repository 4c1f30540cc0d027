import { type LogLevel, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { serveConsole } from './platform/console/index.js';
import { EVENT_BUS_SERVER, type EventBusServer } from './platform/event-bus/index.js';
import {
  CORRELATION_HEADERS,
  correlationHeaders,
  publicBaseMiddleware,
  buildOpenApiDocument,
  serveApiDocs,
  ProblemDetailsFilter,
  ShutdownGate,
  useRequestLimits,
  createValidationPipe,
} from './platform/http/index.js';
import {
  type IntegrationDefinition,
  pipelinesOf,
  selectPipelines,
} from './platform/pipeline/index.js';

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
  /** Where the JSON log lines go; standard output when absent (tests capture them). */
  logStream?: DestinationStream;
  /** Runs last at shutdown (see `AppModuleOptions.onShutdown`). */
  onShutdown?: () => Promise<void>;
}

/**
 * Builds the application for `config` with the pipelines `PIPELINES` selects from the
 * catalogue's integrations (all of whose settings and migrations it has): HTTP surface,
 * Swagger, and the event bus server connected as its microservice. Call `start()` (or `app.init()`, then `app.startAllMicroservices()`) to run it.
 */
export async function createApp(
  config: AppConfig,
  catalogue: readonly IntegrationDefinition[],
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const pipelines = selectPipelines(config.pipelines, pipelinesOf(catalogue));
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config, catalogue, pipelines, {
      logStream: options.logStream,
      onShutdown: options.onShutdown,
    }),
    {
      bodyParser: false,
      logger: options.logger ?? ['log', 'warn', 'error'],
      bufferLogs: options.logger !== false,
      abortOnError: false,
    },
  );
  app.useLogger(app.get(PinoLogger));
  // X-Forwarded-* is believed only when it comes from the gateway's own addresses.
  app.set(
    'trust proxy',
    config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
  );
  app.disable('x-powered-by');
  app.use(correlationHeaders);
  // Before any work: once shutdown begins, requests are refused here.
  app.use(app.get(ShutdownGate).middleware);
  app.use(helmet());
  if (config.http.cors.origins.length > 0) {
    app.enableCors({
      origin: config.http.cors.origins,
      exposedHeaders: [...CORRELATION_HEADERS, 'Retry-After', 'Link'],
      maxAge: 600,
    });
  }
  app.use(publicBaseMiddleware(config.http));
  useRequestLimits(app, config.http);
  serveConsole(app, config.console, config.http.globalPrefix);
  app.setGlobalPrefix(config.http.globalPrefix, {
    exclude: ['health/live', 'health/ready', 'metrics'],
  });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  serveApiDocs(app, buildOpenApiDocument(app));

  // Triggers get the app-wide guards and interceptors (APP_GUARD, APP_INTERCEPTOR: a tracing
  // module's, say), which only reach a microservice that inherits the app's configuration.
  // The validation pipe leaves their payloads alone: the bus validated them already.
  app.connectMicroservice(
    { strategy: app.get<EventBusServer>(EVENT_BUS_SERVER) },
    { inheritAppConfig: true },
  );
  return app;
}

/**
 * Initialises the whole application, then starts consuming events, then serves HTTP on the
 * configured port. Shutdown runs in reverse: HTTP stops taking work (`ShutdownGate`), the bus
 * drains (`EventBusServer.beforeApplicationShutdown`), then connections close.
 */
export async function start(app: NestExpressApplication, config: AppConfig): Promise<void> {
  // Triggers run through the app-wide guards and interceptors, which are ready only once
  // init() has run their hooks: an event read before (a restart over a backlog) would fail on
  // the rate-limit guard, burning one of its deliveries.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.http.port, '0.0.0.0');
}
