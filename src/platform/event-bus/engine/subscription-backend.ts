import type { DeadLetter } from '../delivery/dead-letter.js';
import type { Deferred } from '../delivery/deferred-deliveries.js';

/** One event as a broker hands it to a subscription, with its delivery number. */
export interface Received {
  /** The broker's id of the event on this subscription (a stream id, a sequence number). */
  id: string;
  /** Delivery number, 1 on the first delivery. */
  attempt: number;
  /** The envelope as published; absent when the entry has none (written by something else). */
  raw?: string;
  /** The entry as text, for the dead letter of one without an envelope. */
  text?: string;
  /** Set on a replay: the one pipeline that handles it; the others acknowledge it unhandled. */
  target?: string;
  /** Removed by the broker's retention while still pending: there is nothing left to handle. */
  gone?: boolean;
}

/** What the broker answered a dead-lettering that did not throw. */
export type DeadLetterResult =
  /** The dead letter is stored and the event acknowledged, together. */
  | 'written'
  /** The event was no longer pending here (another consumer settled it): nothing written. */
  | 'not-pending';

/**
 * The broker's verbs for one subscription (one event, one pipeline's consumer group), all the
 * {@link ConsumerEngine} needs from a broker. Everything a delivery means (slots, batches,
 * validation, backoff, outages, dead-letter decisions, pause, drain) is the engine's; a backend
 * only reads, settles and finds events again. Modelled on a log with consumer groups and a
 * pending list per consumer (Redis Streams; the in-process log keeps the same shape), and
 * meant to map onto acknowledging brokers too: a NATS JetStream consumer (fetch, ack, nak with
 * a delay, ack-wait redelivery, in-progress) or a RabbitMQ queue with delayed requeue.
 */
export interface SubscriptionBackend {
  /**
   * Whether events outlive this process: pending ones are left for another replica to take
   * over at shutdown, rather than dropped.
   */
  readonly durable: boolean;
  /** Events scheduled for a later delivery ({@link retryLater}) and not yet due. */
  readonly awaitingRetry: number;

  /** Creates the subscription on the broker when it does not exist. */
  open(): Promise<void>;
  /**
   * New events, at most `count`, waiting a while (the broker's blocking read) for the first;
   * none when nothing came. Throws when the broker fails.
   */
  read(count: number): Promise<Received[]>;
  /** Waits until something may have changed (an event published, a pipeline resumed), or `ms`. */
  wait(ms: number): Promise<void>;
  /** Cuts a {@link read} or {@link wait} short where the broker allows it (draining). */
  interrupt(): void;

  /**
   * Acknowledges a handled event: a promise resolved once the broker has it, or nothing when
   * it is done at once (in process). Not an async function: it runs for every event.
   */
  ack(id: string): Promise<void> | undefined;
  /** Leaves a failed event pending, to be {@link due} again after `delayMs`. */
  retryLater(id: string, delayMs: number): void;
  /**
   * Events of this consumer whose retry is due, at most `count`, each counted as a delivery;
   * `busy` names those the engine still holds, never handed back.
   */
  due(count: number, busy: (id: string) => boolean): Promise<Received[]>;
  /**
   * Events left pending by consumers that stopped (idle longer than `bus.claimIdleMs`), taken
   * over and counted as a delivery; absent where no other consumer can exist.
   */
  claimStale?(count: number): Promise<Received[]>;
  /** Takes events put off (an outage, a retry later) back for a delivery with the number they keep. */
  reclaim(ids: string[], attempt: number): Promise<Received[]>;
  /** Sets put-off events' counts back to their real deliveries: a put-off delivery does not count. */
  uncount(putOff: Deferred<string>[]): Promise<void>;
  /** Keeps events this consumer still holds from looking abandoned to the other replicas. */
  keepFresh(ids: string[]): Promise<void>;
  /**
   * Stores the dead letter and acknowledges the event, both or neither; throws when neither
   * happened (the event then stays pending).
   */
  deadLetter(id: string, letter: Omit<DeadLetter, 'id'>, raw: string): Promise<DeadLetterResult>;
  /** Leaves the group when this consumer holds nothing, so stopped consumers do not pile up. */
  leave(): Promise<void>;
}
