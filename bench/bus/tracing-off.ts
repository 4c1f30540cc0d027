import { trace } from '@opentelemetry/api';
import {
  contextOf,
  currentTraceCarrier,
  inSpan,
  MESSAGING_SYSTEM,
  SpanKind,
} from '../../src/platform/tracing/index.js';

const ITERATIONS = 200_000;
const ROUNDS = 5;

/** What tracing off costs an event: the platform's calls under the API's no-ops, and without them. */
export interface TracingOffCost {
  /** µs per event through the bus's tracing calls (publish and process spans, the carrier). */
  offMicros: number;
  /** µs per event through the same async steps with every tracing call bypassed. */
  bypassedMicros: number;
}

/** Stands for the handler and the transport's dispatch: one turn of the microtask queue. */
const work = () => Promise.resolve();

/**
 * The calls the bus makes per event when nothing is traced (EventBus.publish's `inSpan`, the
 * carrier it puts in the envelope, the delivery's `contextOf` and process `inSpan`, the outcome
 * attribute), with the same arguments, against the same steps with no tracing code at all: the
 * difference is what "off" costs beside "no tracing code". Production keeps no switch to
 * bypass the calls (a test-only branch), so this measures them in a loop, run when no SDK is
 * started (the API's no-op global), in the same process and run as the bus's subjects.
 */
export async function measureTracingOff(): Promise<TracingOffCost> {
  if (trace.getTracerProvider().getTracer('probe').startSpan('probe').isRecording()) {
    throw new Error('an SDK is started: tracing off is measured with the API no-op global only');
  }
  const traced = () =>
    inSpan(
      'bench.event publish',
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'publish',
          'messaging.destination.name': 'bench.event',
          'tributary.pipeline': 'bench',
        },
      },
      async (span) => {
        const carrier = currentTraceCarrier();
        if (span.isRecording()) span.setAttribute('messaging.message.id', 'id');
        await work();
        return inSpan(
          'bench.event process',
          {
            kind: SpanKind.CONSUMER,
            parent: contextOf(carrier),
            attributes: {
              'messaging.system': MESSAGING_SYSTEM,
              'messaging.consumer.group.name': 'bench',
              'tributary.delivery.attempt': 1,
            },
          },
          async (active) => {
            await work();
            active.setAttribute('tributary.outcome', 'ack');
          },
        );
      },
    );
  const bypassed = async () => {
    await work();
    await (async () => {
      await work();
    })();
  };
  const offs: number[] = [];
  const bypasses: number[] = [];
  // Interleaved rounds, the median of each: a busy spell falls on both.
  for (let round = 0; round < ROUNDS; round++) {
    offs.push(await microsPerCall(traced));
    bypasses.push(await microsPerCall(bypassed));
  }
  return { offMicros: median(offs), bypassedMicros: median(bypasses) };
}

async function microsPerCall(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await fn();
  return ((performance.now() - started) * 1000) / ITERATIONS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
