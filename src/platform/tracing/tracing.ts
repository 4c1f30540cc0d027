import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  type Link,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * The platform's side of tracing: it speaks only `@opentelemetry/api`, which does nothing
 * (non-recording spans, empty carriers) until the application's entry point starts an SDK
 * (`src/telemetry.ts`). So a process without the `OTEL_*` variables pays a few no-op calls.
 */
export const TRACER_NAME = 'tributary';

/** W3C trace context as it travels with an event or is stored with what the platform keeps. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The carrier a stored row (nullable columns) or an envelope holds. */
export function carrierOf(row: {
  traceparent?: string | null;
  tracestate?: string | null;
}): TraceCarrier {
  const carrier: TraceCarrier = {};
  if (row.traceparent) carrier.traceparent = row.traceparent;
  if (row.tracestate) carrier.tracestate = row.tracestate;
  return carrier;
}

/** The trace id a carrier names (`traceparent`'s second field), if it is well formed. */
export function traceIdOf(carrier: TraceCarrier | undefined | null): string | undefined {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
    carrier?.traceparent ?? '',
  );
  return match && !/^0+$/.test(match[1]!) ? match[1] : undefined;
}

/** What the bus says on its spans as `messaging.system`: its own, whatever the transport. */
export const MESSAGING_SYSTEM = 'tributary';

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** The API's no-op provider: what its global proxy hands spans to until an SDK registers one. */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether an SDK is registered (ours from `src/telemetry.ts`, or one a team starts itself).
 * Asked per span, not cached: an SDK started or stopped later counts at once.
 */
export function tracingOn(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider && provider.getDelegate() === NO_PROVIDER);
}

/** The span handed to work run while tracing is off: records nothing, carries no context. */
const NOT_TRACED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The active context's trace, as `traceparent`/`tracestate`; empty when nothing is traced. */
export function currentTraceCarrier(ctx?: Context): TraceCarrier {
  // Off, the API's propagator injects nothing: the same empty carrier, without the calls.
  if (!tracingOn()) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(ctx ?? context.active(), carrier);
  const out: TraceCarrier = {};
  if (carrier.traceparent) out.traceparent = carrier.traceparent;
  if (carrier.tracestate) out.tracestate = carrier.tracestate;
  return out;
}

/**
 * The context a carrier continues: its trace's, under no span of this process. A carrier
 * without `traceparent` (an event published by an older version) gives the root context: a
 * new trace starts.
 */
export function contextOf(carrier: TraceCarrier | undefined | null): Context {
  if (!carrier?.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** A link to the span a carrier names, for spans that continue many (a batch) or start anew. */
export function linkTo(carrier: TraceCarrier | undefined | null): Link | undefined {
  const spanContext = trace.getSpanContext(contextOf(carrier));
  return spanContext && trace.isSpanContextValid(spanContext)
    ? { context: spanContext }
    : undefined;
}

/** The active span's trace id, or undefined outside any (recorded) trace. */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** Fields a log line written inside a trace carries (`trace_id`, `span_id`), else none. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * The stable code an error carries (the error contract's `code`: `smtp-unavailable`...), else
 * its class name: never its message, which may hold personal data.
 */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0 && code.length <= 100) return code;
  return error instanceof Error ? error.name : typeof error;
}

/** Marks `span` failed with `error`: its type (see {@link errorType}) and the exception event. */
export function recordSpanError(span: Span, error: unknown): void {
  span.setAttribute('error.type', errorType(error));
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** The parent context; the active one by default. */
  parent?: Context;
}

/**
 * Runs `fn` in a new active span, ended when `fn` settles; a thrown error is recorded on it
 * (see {@link recordSpanError}) and rethrown.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  // Off, the API would start a no-op span in a no-op context: only its cost would be left
  // (a closure and a promise per span, a few µs an event on the bus's hot path).
  if (!tracingOn()) return fn(NOT_TRACED);
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes: options.attributes,
      links: options.links,
    },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        recordSpanError(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Runs `fn` in `ctx` (a carrier's, see {@link contextOf}). */
export function withContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

export { SpanKind };
