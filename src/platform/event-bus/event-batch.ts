import { BaseRpcContext } from '@nestjs/microservices';
import { failureOutcome } from './delivery/deliver.js';
import type { EventEnvelope } from './event-envelope.js';
import { flowContext } from './flow-context.js';
import { contextOf, withContext } from '../tracing/tracing.js';

/** One event of a batch: its validated payload, its envelope and this delivery's number. */
export interface BatchItem<T = unknown> {
  readonly payload: T;
  readonly envelope: EventEnvelope;
  /** 1 on first delivery, then 2, 3… on redeliveries. */
  readonly attempt: number;
}

/**
 * What a batch trigger's handler receives: the events that arrived together, each with a
 * valid payload (an invalid one was dead-lettered on its own and is not here). Each event
 * keeps its own flow: what the handler publishes for one of them goes through `within`.
 */
export class EventBatch<T = unknown> {
  /** `maxDeliveries`: the trigger's, which decides when a failed event is dead-lettered. */
  constructor(
    readonly items: readonly BatchItem<T>[],
    private readonly maxDeliveries = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Whether failing with `error` sends `item` to the dead letters now: a handler that must act
   * before that (report what would be lost) asks here. Never while the database or broker is
   * away, nor for a `RetryLaterError`: the bus then holds the event at the same delivery.
   */
  deadLetters(item: BatchItem<T>, error: unknown): boolean {
    return failureOutcome({ maxDeliveries: this.maxDeliveries }, error, item).kind === 'dead';
  }

  /**
   * Runs `fn` in the flow of `item`, so that what it publishes carries that event's ids and
   * continues its trace.
   */
  within<R>(item: BatchItem<T>, fn: () => R): R {
    return withContext(contextOf(item.envelope), () =>
      flowContext.run(flowContext.of(item.envelope), fn),
    );
  }
}

/** Second argument of a batch trigger's handler. */
export class EventBatchContext extends BaseRpcContext<[pipeline: string, size: number]> {
  getPipeline(): string {
    return this.args[0];
  }

  getSize(): number {
    return this.args[1];
  }
}
