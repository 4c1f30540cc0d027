/** Tracing through `@opentelemetry/api`: spans, W3C trace context carriers, log fields, links. */
export {
  carrierOf,
  contextOf,
  currentTraceCarrier,
  currentTraceId,
  errorType,
  inSpan,
  linkTo,
  MESSAGING_SYSTEM,
  recordSpanError,
  SpanKind,
  type SpanOptions,
  type TraceCarrier,
  traceIdOf,
  traceLogFields,
  tracer,
  TRACER_NAME,
  withContext,
} from './tracing.js';
export { spansDropped } from './tracing-metrics.js';
export { type TracingConfig, tracingConfig } from './tracing.config.js';
export { TraceLinks, TracingModule } from './trace-links.js';
