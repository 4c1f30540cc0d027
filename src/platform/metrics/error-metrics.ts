import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ErrorStore } from '../error-store/error-store.js';
import { MetricsRegistry } from './metrics-registry.js';

/** Error records by pipeline and status, counted in the database when Prometheus scrapes. */
@Injectable()
export class ErrorMetrics {
  constructor(registry: MetricsRegistry, errors: ErrorStore) {
    new Gauge({
      name: 'tributary_error_records',
      help: 'Error records in the error store, by pipeline and status',
      labelNames: ['pipeline', 'status'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await errors.countByPipelineAndStatus())
          this.set({ pipeline: row.pipeline, status: row.status }, row.count);
      },
    });
  }
}
