import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { EventBus } from '../event-bus/event-bus.js';
import { MetricsRegistry } from './metrics-registry.js';

/** Each pipeline's position in each event stream, asked of the broker when Prometheus scrapes. */
@Injectable()
export class ConsumerMetrics {
  constructor(registry: MetricsRegistry, bus: EventBus) {
    const registers = [registry];
    const labelNames = ['event', 'pipeline'] as const;
    const collect = () => refresh();
    const lag = new Gauge({
      name: 'tributary_consumer_lag',
      help: 'Events in the stream the pipeline has not read yet',
      labelNames,
      registers,
      collect,
    });
    const pending = new Gauge({
      name: 'tributary_consumer_pending',
      help: 'Events delivered to the pipeline and not yet acknowledged',
      labelNames,
      registers,
      collect,
    });
    const length = new Gauge({
      name: 'tributary_stream_length',
      help: 'Events retained in the stream',
      labelNames: ['event'],
      registers,
      collect,
    });
    // One broker round trip per scrape, shared by the three gauges.
    let inFlight: Promise<void> | undefined;
    const refresh = (): Promise<void> =>
      (inFlight ??= bus
        .describeStreams()
        .then((streams) => {
          lag.reset();
          pending.reset();
          length.reset();
          for (const stream of streams) {
            length.set({ event: stream.event }, stream.length);
            for (const group of stream.groups) {
              pending.set({ event: stream.event, pipeline: group.pipeline }, group.pending);
              if (group.lag !== null)
                lag.set({ event: stream.event, pipeline: group.pipeline }, group.lag);
            }
          }
        })
        .finally(() => (inFlight = undefined)));
  }
}
