import { collectDefaultMetrics, Registry } from 'prom-client';
import { spansDropped } from '../tracing/tracing-metrics.js';

/**
 * This application's Prometheus registry. One per app rather than prom-client's global one,
 * so that several apps in one process (the tests, a worker beside an API) never collide.
 */
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this, prefix: 'tributary_' });
    // Process-wide (the tracing SDK is one per process), served by every app's registry.
    this.registerMetric(spansDropped);
  }
}
