import { Injectable, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Triggers } from '../../src/platform/event-bus/triggers.decorator.js';
import { defineEvent } from '../../src/platform/event-bus/event-definition.js';
import { EventTrigger } from '../../src/platform/event-bus/event-trigger.decorator.js';
import type { EventTriggerContext } from '../../src/platform/event-bus/event-trigger.context.js';
import { definePipeline } from '../../src/platform/pipeline/pipeline-definition.js';
import { PipelineModule } from '../../src/platform/pipeline/pipeline.module.js';

export interface BenchPayload {
  seq: number;
  /** performance.now() at publish: publisher and trigger share the process's clock. */
  sentAt: number;
}

export const benchEvent = defineEvent<BenchPayload>('bench.tick');
export const benchSource = definePipeline({
  name: 'bench-source',
  role: 'business-rule',
  description: 'publishes ticks',
  publishes: [benchEvent],
});
export const benchSink = definePipeline({
  name: 'bench-sink',
  role: 'subscriber',
  description: 'counts ticks',
});

/** Counts deliveries and keeps each one's publish-to-trigger latency. */
@Injectable()
export class Sink {
  received = 0;
  latencies: number[] = [];
  private waiter?: { count: number; resolve: () => void };

  take(payload: BenchPayload): void {
    this.latencies.push(performance.now() - payload.sentAt);
    this.received++;
    if (this.waiter && this.received >= this.waiter.count) this.waiter.resolve();
  }

  reset(): void {
    this.received = 0;
    this.latencies = [];
  }

  until(count: number): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { count, resolve }));
  }
}

@Triggers()
class TributaryTrigger {
  constructor(private readonly sink: Sink) {}

  @EventTrigger(benchEvent, { pipeline: benchSink.name, concurrency: 512 })
  tick(@Payload() payload: BenchPayload, @Ctx() _ctx: EventTriggerContext): void {
    this.sink.take(payload);
  }
}

/** The same job for Nest's built-in Redis transport (plain pub/sub), the baseline. */
@Triggers()
class BuiltInTrigger {
  constructor(private readonly sink: Sink) {}

  @EventPattern('bench.tick')
  tick(@Payload() payload: BenchPayload): void {
    this.sink.take(payload);
  }
}

@Module({ providers: [Sink], exports: [Sink] })
class SinkModule {}

@Module({
  imports: [PipelineModule.register(benchSource), PipelineModule.register(benchSink), SinkModule],
  controllers: [TributaryTrigger],
})
export class TributaryBenchModule {}

@Module({ imports: [SinkModule], controllers: [BuiltInTrigger] })
export class BuiltInBenchModule {}
