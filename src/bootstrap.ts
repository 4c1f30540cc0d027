import { type LogLevel, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.schema.js';
import { EVENT_BUS_SERVER } from './platform/event-bus/constants.js';
import type { EventBusServer } from './platform/event-bus/event-bus.server.js';
import { createValidationPipe } from './platform/http/validation.pipe.js';
import { ProblemDetailsFilter } from './platform/http/problem-details.filter.js';
import type { PipelineEntry } from './platform/pipeline/pipeline-definition.js';
import { selectPipelines } from './platform/pipeline/pipeline-selection.js';

export interface CreateAppOptions {
  logger?: LogLevel[] | false;
}

/**
 * Builds the application for `config` with the pipelines `PIPELINES` selects from the
 * catalogue: HTTP surface, Swagger, and the event bus server connected as its
 * microservice. Call `start()` (or `app.init()` and `app.startAllMicroservices()`) to run it.
 */
export async function createApp(
  config: AppConfig,
  catalogue: readonly PipelineEntry[],
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const pipelines = selectPipelines(config.pipelines, catalogue);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, pipelines), {
    bodyParser: false,
    logger: options.logger ?? ['log', 'warn', 'error'],
    abortOnError: false,
  });
  // X-Forwarded-* is believed only when it comes from the gateway's own addresses.
  app.set('trust proxy', config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: config.http.bodyLimit });
  app.setGlobalPrefix(config.http.globalPrefix, { exclude: ['health/live', 'health/ready'] });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tributary')
      .setDescription('Event-driven integration backend: pipelines that publish and subscribe to events.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  app.connectMicroservice({ strategy: app.get<EventBusServer>(EVENT_BUS_SERVER) }, { inheritAppConfig: true });
  return app;
}

/** Starts consuming events, then serves HTTP on the configured port. */
export async function start(app: NestExpressApplication, config: AppConfig): Promise<void> {
  await app.startAllMicroservices();
  await app.listen(config.http.port, '0.0.0.0');
}
