import { Inject, Injectable } from '@nestjs/common';
import { BusObservers } from './bus-observers.js';
import { EVENT_BUS_CLIENT, EVENT_BUS_OPTIONS } from './constants.js';
import type { DeadLetter } from './delivery/dead-letter.js';
import type { DeadLetterCursor } from './delivery/dead-letter-cursor.js';
import type { DeadLetterSelector, ReplayOptions } from './delivery/replay.js';
import type { StreamDescription } from './stream-description.js';
import { HopLimitExceededError } from './errors/hop-limit-exceeded.error.js';
import type { BrokerState, EventBusClient } from './event-bus.client.js';
import type { EventDefinition } from './event-definition.js';
import { createEnvelope, type EventEnvelope } from './event-envelope.js';
import { flowContext } from './flow-context.js';
import { ROOT_CONTEXT, trace as traceApi } from '@opentelemetry/api';
import {
  contextOf,
  currentTraceCarrier,
  inSpan,
  MESSAGING_SYSTEM,
  SpanKind,
  type TraceCarrier,
} from '../tracing/tracing.js';

export interface EventBusOptions {
  maxHops: number;
  /** Pending events idle this long are taken over: a consumer idle longer is presumed gone. */
  claimIdleMs: number;
  /** Whether published events outlive the process (Redis Streams), or die with it (in-process). */
  durable: boolean;
}

export interface PublishOptions {
  /** Starts a new flow under this id instead of continuing the current one. */
  correlationId?: string;
  /**
   * Continues this trace rather than the active one: what was stored with the event's subject
   * (the outbox's republish). Without `traceparent`, a new trace.
   */
  trace?: TraceCarrier;
  /**
   * Starts a new trace for this event, linked to the active span: an import's record is a
   * trace of its own, so that 20,000 records never make one giant trace of the import's.
   */
  newTrace?: boolean;
}

/**
 * Publishes events through the configured transport's client. The envelope continues the
 * current flow (see `flowContext`): same correlation id, caused by the event being handled,
 * one hop further. Pipelines publish through their typed {@link Publisher}s.
 */
@Injectable()
export class EventBus {
  constructor(
    @Inject(EVENT_BUS_CLIENT) private readonly client: EventBusClient,
    @Inject(EVENT_BUS_OPTIONS) private readonly options: EventBusOptions,
    private readonly observers: BusObservers,
  ) {}

  async publish<T>(
    event: EventDefinition<T>,
    payload: T,
    source: string,
    options: PublishOptions = {},
  ): Promise<EventEnvelope<T>> {
    if (payload === undefined)
      throw new TypeError(`cannot publish '${event.name}' without a payload`);
    const flow = options.correlationId ? undefined : flowContext.current();
    const hops = flow?.causationId ? flow.hops + 1 : 0;
    if (hops > this.options.maxHops)
      throw new HopLimitExceededError(event.name, hops, this.options.maxHops);
    // The publish span is the parent of every delivery's process span: its context travels in
    // the envelope. Outside any trace (a schedule), it starts one.
    return inSpan(
      `${event.name} publish`,
      {
        kind: SpanKind.PRODUCER,
        parent: options.trace
          ? contextOf(options.trace)
          : options.newTrace
            ? ROOT_CONTEXT
            : undefined,
        links: options.newTrace ? activeSpanLink() : undefined,
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'publish',
          'messaging.destination.name': event.name,
          'tributary.pipeline': source,
        },
      },
      async (span) => {
        const envelope = createEnvelope(event.name, payload, source, {
          correlationId: options.correlationId ?? flow?.correlationId,
          causationId: flow?.causationId,
          hops,
          trace: currentTraceCarrier(),
        });
        if (span.isRecording()) span.setAttribute('messaging.message.id', envelope.id);
        await this.client.dispatch(envelope);
        this.observers.published(event.name, source);
        return envelope;
      },
    );
  }

  /**
   * The newest dead letters first (by id, then event name), at most `count`; with `before`,
   * those after that cursor (`cursorAfter` the last letter of a page; a bare id: those older).
   */
  listDeadLetters(count = 100, before?: string | DeadLetterCursor): Promise<DeadLetter[]> {
    return this.client.listDeadLetters(count, before);
  }

  /** Re-delivers a dead-lettered event to the pipeline that failed it, optionally with an edited payload. */
  replayDeadLetter(id: string, options: ReplayOptions = {}): Promise<DeadLetter> {
    return this.client.replayDeadLetter(id, options);
  }

  deleteDeadLetter(id: string, selector: DeadLetterSelector = {}): Promise<boolean> {
    return this.client.deleteDeadLetter(id, selector);
  }

  describeStreams(): Promise<StreamDescription[]> {
    return this.client.describeStreams();
  }

  /** How far the slowest pipeline subscribed to `event` is behind (see EventBusClient.backlog). */
  backlog(event: EventDefinition): Promise<number> {
    return this.client.backlog(event.name);
  }

  /** Stops a pipeline taking new events, in every process that runs it; events wait meanwhile. */
  pausePipeline(pipeline: string): Promise<void> {
    return this.client.setPaused(pipeline, true);
  }

  resumePipeline(pipeline: string): Promise<void> {
    return this.client.setPaused(pipeline, false);
  }

  pausedPipelines(): Promise<string[]> {
    return this.client.pausedPipelines();
  }

  /** Whether published events outlive this process: false on the in-process bus. */
  get durable(): boolean {
    return this.options.durable;
  }

  /** Whether a consumer of {@link describeStreams} is alive: it read within `bus.claimIdleMs`. */
  isLive(consumer: { idleMs: number }): boolean {
    return consumer.idleMs < this.options.claimIdleMs;
  }

  isHealthy(): Promise<boolean> {
    return this.client.isHealthy();
  }

  /** The broker's kind (in-process, or which Redis topology) and whether it serves. */
  brokerState(): Promise<BrokerState> {
    return this.client.brokerState();
  }
}

/** A link to the active span, if one is recorded. */
function activeSpanLink() {
  const spanContext = traceApi.getActiveSpan()?.spanContext();
  return spanContext && traceApi.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}
