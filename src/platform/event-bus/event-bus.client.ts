import type { OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import type { DeadLetter } from './delivery/dead-letter.js';
import type { DeadLetterCursor } from './delivery/dead-letter-cursor.js';
import type { EventEnvelope } from './event-envelope.js';
import type { DeadLetterSelector, ReplayOptions } from './delivery/replay.js';
import type { StreamDescription } from './stream-description.js';

/** What readiness says of the broker: its kind (in-process, or the Redis topology) and state. */
export interface BrokerState {
  ok: boolean;
  topology: 'in-process' | 'single' | 'sentinel' | 'cluster';
  /** What is wrong, or (a Cluster) what it reports: `cluster_state ok, 3 masters`. */
  detail?: string;
}

/** What the event bus transports' clients share on top of Nest's `ClientProxy`. */
export abstract class EventBusClient extends ClientProxy implements OnApplicationShutdown {
  /** Whether the broker answers; used by the readiness check. */
  abstract isHealthy(): Promise<boolean>;

  /** The broker's kind and state, for the readiness check; the in-process bus is always up. */
  async brokerState(): Promise<BrokerState> {
    return { ok: await this.isHealthy(), topology: 'in-process' };
  }

  /**
   * Publishes an envelope under its event name. The same as `emit(envelope.name, envelope)`
   * without the Observable around it, which costs more than the publish itself at
   * thousands of events a second.
   */
  async dispatch(envelope: EventEnvelope): Promise<void> {
    await this.connect();
    await this.dispatchEvent({ pattern: envelope.name, data: envelope });
  }

  /**
   * The newest dead letters first (by id, then event name), at most `count`; with `before`,
   * only those after that cursor in this order (a bare id: those older than that id).
   */
  abstract listDeadLetters(
    count: number,
    before?: string | DeadLetterCursor,
  ): Promise<DeadLetter[]>;

  /**
   * Puts a dead letter back on its event's stream, addressed to the one pipeline that gave up
   * on it, and removes it from the dead letters, atomically. An id several events' dead
   * letters share is refused (`DeadLetterAmbiguousError`) unless `options.event` names one.
   */
  abstract replayDeadLetter(id: string, options: ReplayOptions): Promise<DeadLetter>;

  /** Removes a dead letter for good; false when there is none with this id. Ambiguity as replay. */
  abstract deleteDeadLetter(id: string, selector?: DeadLetterSelector): Promise<boolean>;

  /** Every event stream with each subscribing pipeline's pending events and lag. */
  abstract describeStreams(): Promise<StreamDescription[]>;

  /**
   * Events of `event` its slowest subscribing pipeline has yet to finish: not yet read, or
   * read and not yet acknowledged. 0 when nobody subscribes.
   */
  abstract backlog(event: string): Promise<number>;

  /** Pauses or resumes a pipeline's consumption in every process that runs it. */
  abstract setPaused(pipeline: string, paused: boolean): Promise<void>;

  abstract pausedPipelines(): Promise<string[]>;

  /** Last of the shutdown steps: handlers drained before this may still have published. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
