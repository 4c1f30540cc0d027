import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { BusObservers } from '../event-bus/bus-observers.js';
import { MetricsRegistry } from './metrics-registry.js';

/** What the event bus of this process publishes and delivers, from its observer hook. */
@Injectable()
export class BusMetrics implements OnModuleInit {
  private readonly published: Counter<'event' | 'source'>;
  private readonly consumed: Counter<'event' | 'pipeline'>;
  private readonly failed: Counter<'event' | 'pipeline'>;
  private readonly deadLettered: Counter<'event' | 'pipeline' | 'reason'>;
  private readonly duration: Histogram<'event' | 'pipeline' | 'outcome'>;

  constructor(
    registry: MetricsRegistry,
    private readonly observers: BusObservers,
  ) {
    const registers = [registry];
    this.published = new Counter({
      name: 'tributary_events_published_total',
      help: 'Events published',
      labelNames: ['event', 'source'],
      registers,
    });
    this.consumed = new Counter({
      name: 'tributary_events_consumed_total',
      help: 'Events a pipeline handled successfully (acknowledged)',
      labelNames: ['event', 'pipeline'],
      registers,
    });
    this.failed = new Counter({
      name: 'tributary_events_failed_total',
      help: 'Deliveries whose handler failed (each retry counts)',
      labelNames: ['event', 'pipeline'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'tributary_events_dead_lettered_total',
      help: 'Events a pipeline gave up on, by reason',
      labelNames: ['event', 'pipeline', 'reason'],
      registers,
    });
    this.duration = new Histogram({
      name: 'tributary_handler_duration_seconds',
      help: 'Time a trigger handler took, validation included',
      labelNames: ['event', 'pipeline', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  onModuleInit(): void {
    this.observers.add({
      published: (event, source) => this.published.inc({ event, source }),
      delivered: ({ event, pipeline, outcome, reason, durationMs }) => {
        this.duration.observe({ event, pipeline, outcome }, durationMs / 1000);
        if (outcome === 'ack') {
          this.consumed.inc({ event, pipeline });
          return;
        }
        this.failed.inc({ event, pipeline });
        if (outcome === 'dead')
          this.deadLettered.inc({ event, pipeline, reason: reason ?? 'unknown' });
      },
    });
  }
}
