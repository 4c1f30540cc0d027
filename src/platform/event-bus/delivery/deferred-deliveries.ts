import type { LoggerService } from '@nestjs/common';
import { type Outage, OUTAGE_RETRY_MS } from '../../reliability/outage.js';
import type { BusObservers } from '../bus-observers.js';
import { retryDelay } from '../../reliability/backoff.js';
import type { DeliveryOutcome } from './deliver.js';
import type { TriggerBinding } from './trigger-binding.js';

/** An event a trigger delivers again later, with the delivery number it keeps. */
export interface Deferred<T> {
  /** The transport's handle on the event: its raw text in process, its stream id on Redis. */
  item: T;
  attempt: number;
}

/** Put-off events grouped by the delivery number they keep: a transport delivers each group together. */
export function byAttempt<T>(deliveries: Deferred<T>[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const { item, attempt } of deliveries) {
    const group = groups.get(attempt);
    if (group) group.push(item);
    else groups.set(attempt, [item]);
  }
  return groups;
}

/** The trigger's wait for its database or broker, from the first failure to the first answer. */
interface Episode {
  outage: Outage;
  since: number;
  /** Probes (or reads) that failed in it: the wait before the next one doubles with each. */
  failures: number;
  /** The next probe, when one is due. */
  probe?: NodeJS.Timeout;
}

/**
 * The deliveries one trigger puts off without counting them, shared by both transports.
 *
 * - An **outage** (the pipeline's database or broker away, see `outageOf`): the event is held,
 *   and the trigger stops taking new events ({@link holding}). After a wait that doubles at
 *   each failure (from `bus.retry.baseDelayMs`, a few seconds at most) one held event (a
 *   batch for a batch trigger) is delivered again as a probe; once a delivery that started
 *   during the outage comes back with anything but an outage, the dependency answers: every
 *   held event is delivered again and reading resumes. Events keep their delivery number.
 * - A **retry later** (`RetryLaterError`): the event is delivered again after its delay, with
 *   the same delivery number; the trigger goes on reading.
 *
 * The transport says how an event is delivered again (`redeliver`); this class decides when.
 */
export class DeferredDeliveries<T> {
  private readonly held: Deferred<T>[] = [];
  /** Held events delivered again as a probe and not yet back. */
  private readonly probing = new Set<T>();
  private readonly later = new Map<NodeJS.Timeout, Deferred<T>>();
  private episode?: Episode;
  private resumers: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly binding: Pick<TriggerBinding, 'event' | 'pipeline' | 'batch' | 'readSize'>,
    private readonly retry: { baseDelayMs: number; maxDelayMs: number },
    private readonly observers: BusObservers,
    private readonly logger: Pick<LoggerService, 'warn' | 'log'>,
    private readonly redeliver: (deliveries: Deferred<T>[]) => void,
  ) {}

  /** Whether the trigger is waiting out an outage with events in hand: it takes no new ones. */
  get holding(): boolean {
    return this.episode !== undefined && (this.held.length > 0 || this.probing.size > 0);
  }

  /** Every event put off, for a transport that must keep them its own (Redis: fresh, not claimed). */
  *items(): Iterable<T> {
    for (const { item } of this.held) yield item;
    yield* this.probing;
    for (const { item } of this.later.values()) yield item;
  }

  /**
   * Takes the outcome of one delivery that started at `startedAt` (a `Date.now()`): true when
   * the event is put off here, so the transport neither acknowledges nor redelivers it.
   */
  take(item: T, attempt: number, outcome: DeliveryOutcome, startedAt: number): boolean {
    const probe = this.probing.delete(item);
    if (outcome.kind === 'outage') {
      this.held.push({ item, attempt });
      // Only a probe's failure (once its last event is back) makes the wait longer: events
      // that were in flight when the outage began come back failed too, and say nothing new.
      if (!this.episode || (probe && this.probing.size === 0)) this.failed(outcome.outage);
      else this.scheduleProbe();
      return true;
    }
    this.answered(startedAt);
    if (outcome.kind !== 'later') return false;
    if (this.stopped) return true;
    const timer = setTimeout(() => {
      this.later.delete(timer);
      if (!this.stopped) this.redeliver([{ item, attempt }]);
    }, outcome.delayMs);
    this.later.set(timer, { item, attempt });
    return true;
  }

  /**
   * The dependency failed (a probe came back with an outage, or the transport's own read
   * failed): the episode begins or goes on. A read loop waits {@link nextWait} before it tries
   * again.
   */
  failed(outage: Outage): void {
    if (this.episode) {
      this.episode.failures++;
    } else {
      this.episode = { outage, since: Date.now(), failures: 1 };
      this.logger.warn(
        `${this.binding.event} for ${this.binding.pipeline} waits for the ${outage.dependency} (${outage.cause}): ` +
          'its events are held, their deliveries not counted, until it answers',
      );
      this.report('began', this.episode);
    }
    this.scheduleProbe();
  }

  /**
   * How long to wait before trying the dependency again: doubling with each failure from
   * `bus.retry.baseDelayMs`, capped by `bus.retry.maxDelayMs` and by {@link OUTAGE_RETRY_MS}.
   */
  nextWait(): number {
    const cap = Math.min(this.retry.maxDelayMs, OUTAGE_RETRY_MS);
    return retryDelay(this.episode?.failures ?? 1, this.retry.baseDelayMs, cap);
  }

  /**
   * Something that started at `startedAt` reached the dependency (a handler got past it, a read
   * answered): if it started during the outage, the outage is over and the held events go.
   */
  answered(startedAt: number): void {
    const episode = this.episode;
    if (!episode || startedAt < episode.since) return;
    this.episode = undefined;
    clearTimeout(episode.probe);
    const held = this.held.splice(0);
    this.logger.log(
      `${this.binding.event} for ${this.binding.pipeline}: the ${episode.outage.dependency} answers again after ` +
        `${Math.round((Date.now() - episode.since) / 100) / 10} s; ${held.length} held events delivered again`,
    );
    this.report('ended', episode);
    if (held.length > 0 && !this.stopped) this.redeliver(held);
    this.wake();
  }

  /** Resolves once the trigger may take new events again (the outage ended, or it stops). */
  resumed(): Promise<void> {
    if (!this.holding || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.resumers.push(resolve));
  }

  /**
   * Stops every timer: at shutdown nothing put off is waited for. Returns how many events were
   * put off, which the transport leaves for a takeover (Redis) or drops (in process).
   */
  stop(): number {
    this.stopped = true;
    clearTimeout(this.episode?.probe);
    for (const timer of this.later.keys()) clearTimeout(timer);
    const count = this.held.length + this.later.size;
    this.wake();
    return count;
  }

  /** One probe at a time, and only with events to probe with (a read loop probes by reading). */
  private scheduleProbe(): void {
    const episode = this.episode;
    if (!episode || episode.probe || this.probing.size > 0 || this.held.length === 0) return;
    if (this.stopped) return;
    episode.probe = setTimeout(() => {
      episode.probe = undefined;
      if (this.episode !== episode || this.stopped) return;
      // A batch trigger's handler takes batches: its probe is one.
      const probe = this.held.splice(0, this.binding.batch ? this.binding.readSize : 1);
      for (const { item } of probe) this.probing.add(item);
      this.redeliver(probe);
    }, this.nextWait());
  }

  private wake(): void {
    for (const resume of this.resumers.splice(0)) resume();
  }

  private report(phase: 'began' | 'ended', episode: Episode): void {
    this.observers.outage({
      ...episode.outage,
      event: this.binding.event,
      pipeline: this.binding.pipeline,
      phase,
      since: new Date(episode.since),
    });
  }
}
