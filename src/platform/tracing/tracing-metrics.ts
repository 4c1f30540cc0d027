import { Counter } from 'prom-client';

/**
 * Spans the SDK could not send: its bounded queue was full (a collector down or slow), or the
 * export failed. One counter per process, in no registry of its own: each app's
 * `MetricsRegistry` serves it (several apps in one process share it).
 */
export const spansDropped = new Counter({
  name: 'tributary_trace_spans_dropped_total',
  help: 'Spans dropped before reaching the collector, by reason (queue-full, export-failed)',
  labelNames: ['reason'] as const,
  registers: [],
});
