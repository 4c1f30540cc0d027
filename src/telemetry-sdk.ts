import { register } from 'node:module';
import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  SpanKind,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SamplingResult,
  SamplingDecision,
  type Span,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { spansDropped } from './platform/tracing/index.js';
import type { Telemetry } from './telemetry.js';

type Env = Record<string, string | undefined>;

/** The OTLP/HTTP encodings the app exports in; gRPC would add a stack of its own for no gain here. */
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/**
 * Starts the SDK: OTLP over HTTP (`OTEL_EXPORTER_OTLP_*`), the sampler of
 * `OTEL_TRACES_SAMPLER` (parent-based, always on by default), a batch span processor with a
 * bounded queue (`OTEL_BSP_*`), and the instrumentations of HTTP (server and client, fetch),
 * Express, mysql2 and ioredis. The exporters read their own variables (endpoint, headers,
 * timeout, compression); this reads the protocol to pick one.
 */
export async function startTracingSdk(env: Env): Promise<Telemetry> {
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  ).trim();
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new Error(
      `OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${PROTOCOLS.join(', ')} (got '${protocol}')`,
    );
  }
  // The URL from `env` (the exporters would read process.env's themselves): the signal's own
  // endpoint as is, the general one with the traces path.
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() ||
    `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.trim().replace(/\/+$/, '')}/v1/traces`;
  const exporter = new CountingExporter(
    protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtobufExporter({ url }),
  );

  // Known only once the app has read its configuration (PIPELINES), after the SDK starts: the
  // exporter waits for this attribute before its first export.
  let describePipelines!: (names: readonly string[]) => void;
  const pipelines = new Promise<string | undefined>((resolve) => {
    describePipelines = (names) => resolve(names.length > 0 ? names.join(',') : undefined);
  });
  const resource = defaultResource()
    .merge(
      resourceFromAttributes({ 'service.name': 'tributary', 'tributary.pipelines': pipelines }),
    )
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults above.
    .merge(detectResources({ detectors: [envDetector, hostDetector] }));

  const maxQueueSize = positiveInteger(env.OTEL_BSP_MAX_QUEUE_SIZE, 2048);
  const provider = new NodeTracerProvider({
    resource,
    sampler: new NoRootDatabaseSpans(samplerOf(env)),
    spanProcessors: [
      new QueueCountingProcessor(
        new BatchSpanProcessor(exporter, { maxQueueSize }),
        exporter,
        maxQueueSize,
      ),
    ],
  });
  // W3C trace context and baggage, and AsyncLocalStorage as the context manager.
  provider.register();

  // ES modules are hooked by import-in-the-middle's loader, registered here before the app's
  // imports; the message channel limits it to the modules the instrumentations hook (all
  // others load untouched) and lets us wait until the loader thread knows them.
  // Once per process: a second start (the bus benchmark's traced subjects) reuses the loader,
  // whose channel then has nothing new to acknowledge.
  let acknowledged = async () => {};
  if (!loaderRegistered) {
    const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
    register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
    acknowledged = waitForAllMessagesAcknowledged;
    loaderRegistered = true;
  }
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would each be a trace.
        ignoreIncomingRequestHook: (request) => QUIET_PATHS.test(request.url ?? ''),
        requireParentforOutgoingSpans: true,
      }),
      // Only the route handler's layer: it names the HTTP span's route; middleware spans add noise.
      new ExpressInstrumentation({
        ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new MySQL2Instrumentation(),
      // The command's name only: its arguments are events' payloads and keys.
      new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command) => command,
      }),
    ],
  });
  await acknowledged();

  return {
    describePipelines,
    async shutdown() {
      describePipelines([]);
      // A collector down at exit loses the last spans (counted as export-failed), never the
      // shutdown: it goes on.
      await provider.shutdown().catch(() => undefined);
      // Back to the API's no-ops: what runs after (a benchmark's next subject) is not traced.
      unregister();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

let loaderRegistered = false;

const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/**
 * The sampler `OTEL_TRACES_SAMPLER` names (with `OTEL_TRACES_SAMPLER_ARG`, the ratio), as the
 * specification lists them; parent-based always-on by default. Built here because the SDK
 * keeps its own reading of it private, and the sampler is wrapped (see NoRootDatabaseSpans).
 */
export function samplerOf(env: Env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const ratio = () => {
    const value = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
    if (!(value >= 0 && value <= 1)) {
      throw new Error(
        `OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 (got '${env.OTEL_TRACES_SAMPLER_ARG}')`,
      );
    }
    return new TraceIdRatioBasedSampler(value);
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER must be always_on, always_off, traceidratio, parentbased_always_on, ` +
          `parentbased_always_off or parentbased_traceidratio (got '${name}')`,
      );
  }
}

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/**
 * The configured sampler, except that a database or Redis call made outside any trace (the
 * outbox's poll, a schedule's lock, the bus's reads) starts none: each would be a trace of one
 * span, every second.
 */
class NoRootDatabaseSpans implements Sampler {
  constructor(private readonly inner: Sampler) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (
      spanKind === SpanKind.CLIENT &&
      !trace.getSpanContext(context) &&
      (attributes['db.system'] !== undefined || attributes['db.system.name'] !== undefined)
    ) {
      return { decision: SamplingDecision.NOT_RECORD };
    }
    return this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `NoRootDatabaseSpans{${this.inner.toString()}}`;
  }
}

/** Counts the spans handed to the collector and those it refused or never got. */
class CountingExporter implements SpanExporter {
  handedOver = 0;

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.handedOver += spans.length;
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        spansDropped.inc({ reason: 'export-failed' }, spans.length);
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * The batch processor drops a span when its queue holds `maxQueueSize` (and only says so in a
 * diagnostic line): this counts those drops, from the spans queued and those the exporter
 * took, to serve them as a metric. The queue is the processor's own, bounded: a collector that
 * is down or slow costs dropped spans, never memory or a waiting request.
 */
class QueueCountingProcessor implements SpanProcessor {
  private queued = 0;

  constructor(
    private readonly inner: BatchSpanProcessor,
    private readonly exporter: CountingExporter,
    private readonly maxQueueSize: number,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) {
      if (this.queued - this.exporter.handedOver >= this.maxQueueSize) {
        spansDropped.inc({ reason: 'queue-full' });
      } else this.queued++;
    }
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
