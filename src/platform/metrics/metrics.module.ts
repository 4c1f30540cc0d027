import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErrorStoreModule } from '../error-store/error-store.module.js';
import { ObjectStoreEntry } from '../object-store/object-store-entry.entity.js';
import { BusMetrics } from './bus-metrics.js';
import { ConsumerMetrics } from './consumer-metrics.js';
import { ErrorMetrics } from './error-metrics.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics-registry.js';
import { ObjectStoreMetrics } from './object-store-metrics.js';

const collectors = [BusMetrics, ConsumerMetrics, ErrorMetrics, ObjectStoreMetrics];

/**
 * Prometheus metrics at `/metrics`: HTTP requests, what the bus publishes and delivers,
 * consumer lag, the error store and the Object Store. Written with prom-client directly: the metrics live in
 * this app's own registry (see {@link MetricsRegistry}), which a global-registry module cannot do.
 */
@Module({
  imports: [ErrorStoreModule, TypeOrmModule.forFeature([ObjectStoreEntry])],
  controllers: [MetricsController],
  providers: [
    { provide: MetricsRegistry, useFactory: () => new MetricsRegistry() },
    HttpMetrics,
    ...collectors,
  ],
  exports: [MetricsRegistry],
})
export class MetricsModule implements NestModule {
  constructor(private readonly http: HttpMetrics) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.http.middleware).forRoutes('*path');
  }
}
