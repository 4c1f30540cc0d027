import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it } from 'vitest';
import { currentTraceCarrier, inSpan, tracingOn } from './tracing.js';

function disableSdk(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/** Off runs the work directly; an SDK registered (or unregistered) later is seen at once. */
describe('inSpan with tracing off and on', () => {
  afterEach(disableSdk);

  it('runs the work without a span while no SDK is registered, and with one once it is', async () => {
    expect(tracingOn()).toBe(false);
    const off = await inSpan('work', {}, async (span) => span);
    expect(off.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(off.spanContext())).toBe(false);
    expect(await inSpan('work', {}, async () => currentTraceCarrier())).toEqual({});

    const exporter = new InMemorySpanExporter();
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
    expect(tracingOn()).toBe(true);
    const carrier = await inSpan('work', {}, async () => currentTraceCarrier());
    expect(carrier.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['work']);

    disableSdk();
    expect(tracingOn()).toBe(false);
  });

  it('rethrows what the work throws, off as on', async () => {
    await expect(
      inSpan('work', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
