import type { Logger } from '@nestjs/common';
import type { BusConfig } from '../event-bus.config.js';
import type { BusObservers } from '../bus-observers.js';
import { outageOf } from '../../reliability/outage.js';
import { retryDelay } from '../../reliability/backoff.js';
import { byAttempt, type Deferred, DeferredDeliveries } from '../delivery/deferred-deliveries.js';
import { deliver, deliverBatch, type DeliveryOutcome } from '../delivery/deliver.js';
import { logRetries } from '../delivery/retry-log.js';
import type { TriggerBinding } from '../delivery/trigger-binding.js';
import { flowContext } from '../flow-context.js';
import { describeError } from '../../error-store/describe-error.js';
import { DeadLettering } from './dead-lettering.js';
import type { Received, SubscriptionBackend } from './subscription-backend.js';

/** What an unhandled event's settling is when the broker settled it at once (in process). */
const SETTLED = Promise.resolve();

/**
 * Consumes one trigger's subscription, on any broker: the one delivery loop of the bus.
 *
 * - New events are read in batches, never more at once than the trigger's concurrency; a
 *   batch trigger gets them as one batch.
 * - A failed event stays pending with the broker; a periodic sweep takes it back once its
 *   backoff (with jitter) has passed, and it is dead-lettered past `maxDeliveries`.
 * - The same sweep takes over events left by stopped consumers (where the broker has others)
 *   and keeps the events this consumer holds fresh, so that a slow handler is not taken for a
 *   dead one.
 * - An event held through an outage or put off by a RetryLaterError (see
 *   {@link DeferredDeliveries}) stays pending on this consumer with its delivery count set back:
 *   the count is always the number of real deliveries, on this replica or one taking over.
 * - Paused by an operator, it reads nothing; draining, it stops reading and waits for the
 *   handlers in flight.
 */
export class ConsumerEngine {
  /** Events being handled, with the time they were last kept fresh. */
  private readonly inFlight = new Map<string, number>();
  private stopping = false;
  private loop?: Promise<void>;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private lastStaleScan = 0;
  private onSlotFree?: () => void;
  private onIdle?: () => void;
  /** Events held through an outage or put off by a RetryLaterError, by id. */
  private readonly deferred: DeferredDeliveries<string>;
  private deferredTouched = 0;
  private readonly deadLettering: DeadLettering;

  constructor(
    private readonly binding: TriggerBinding,
    private readonly backend: SubscriptionBackend,
    private readonly config: BusConfig,
    private readonly logger: Logger,
    private readonly observers: BusObservers,
    private readonly isPaused: () => boolean,
  ) {
    this.deferred = new DeferredDeliveries(
      binding,
      config.retry,
      observers,
      logger,
      (items) => void this.redeliverDeferred(items),
    );
    this.deadLettering = new DeadLettering(binding, backend, config, logger, observers);
  }

  async start(): Promise<void> {
    await this.backend.open();
    this.loop = this.readLoop();
    const interval = Math.max(20, Math.min(this.config.retry.baseDelayMs, 1000));
    this.sweepTimer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, interval);
  }

  /** Stops reading, then waits for the handlers in flight (at most `timeoutMs`). */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    this.backend.interrupt();
    this.onSlotFree?.();
    const { event, pipeline } = this.binding;
    const putOff = this.deferred.stop() + this.backend.awaitingRetry;
    if (putOff > 0) {
      this.logger.log(
        this.backend.durable
          ? `${putOff} ${event} events awaiting redelivery in ${pipeline} stay pending for another replica`
          : `${putOff} ${event} events awaiting redelivery in ${pipeline} are dropped: the in-process bus keeps nothing across a restart`,
      );
    }
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all([this.loop, this.sweeping]), deadline]);
    if (this.inFlight.size > 0) {
      await Promise.race([new Promise<void>((resolve) => (this.onIdle = resolve)), deadline]);
    }
    if (this.inFlight.size > 0) {
      this.logger.warn(
        `${this.inFlight.size} ${event} events still running for ${pipeline} at shutdown` +
          (this.backend.durable ? '; another replica will take them over' : ''),
      );
    }
  }

  /** Leaves the subscription's group when nothing is pending here (tidying: failures ignored). */
  async leave(): Promise<void> {
    await this.backend.leave().catch(() => undefined);
  }

  private async readLoop(): Promise<void> {
    while (!this.stopping) {
      if (this.isPaused()) {
        // Paused by an operator: events wait with the broker; the flag is read again soon.
        await this.backend.wait(Math.min(this.config.blockMs, 500));
        continue;
      }
      if (this.deferred.holding) {
        // Waiting out an outage: new events would only fail the same way.
        await this.deferred.resumed();
        continue;
      }
      const free = this.binding.concurrency - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.onSlotFree = resolve));
        continue;
      }
      const startedAt = Date.now();
      let received: Received[];
      try {
        received = await this.backend.read(Math.min(free, this.binding.readSize));
      } catch (error) {
        if (this.stopping) break;
        await this.waitAfterReadError(error as Error);
        continue;
      }
      this.deferred.answered(startedAt);
      if (received.length > 0 && !this.stopping) this.runAll(received);
    }
  }

  private async waitAfterReadError(error: Error): Promise<void> {
    const outage = outageOf(error);
    if (outage) {
      // Reported once per outage, with waits that grow until the broker answers a read.
      this.deferred.failed(outage);
      await new Promise((resolve) => setTimeout(resolve, this.deferred.nextWait()));
      return;
    }
    this.logger.warn(
      `reading ${this.binding.event} for ${this.binding.pipeline} failed: ${error.message}; retrying`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  /** Handles events read or taken back together: one by one, or as one batch for a batch trigger. */
  private runAll(received: Received[]): void {
    if (this.binding.batch) this.run(received);
    else for (const one of received) this.run([one]);
  }

  private run(received: Received[]): void {
    const now = Date.now();
    for (const { id } of received) this.inFlight.set(id, now);
    void this.handle(received)
      .catch((error: Error) => {
        // Only broker failures land here: the events stay pending, and come back after a backoff.
        this.logger.error(
          `handling ${this.binding.event} ${received.map(({ id }) => id).join(', ')} for ${this.binding.pipeline}: ${error.message}`,
        );
        for (const { id, attempt } of received) this.backend.retryLater(id, this.backoff(attempt));
      })
      .finally(() => {
        for (const { id } of received) this.inFlight.delete(id);
        this.onSlotFree?.();
        this.onSlotFree = undefined;
        if (this.inFlight.size === 0) this.onIdle?.();
      });
  }

  private async handle(received: Received[]): Promise<void> {
    const startedAt = Date.now();
    const settling: Promise<void>[] = [];
    const deliveries: (Received & { raw: string })[] = [];
    for (const event of received) {
      const settled = this.settleUnhandled(event);
      if (settled) settling.push(settled);
      else deliveries.push(event as Received & { raw: string });
    }
    if (deliveries.length > 0) {
      const outcomes = this.binding.batch
        ? await deliverBatch(this.binding, deliveries, this.observers)
        : await Promise.all(
            deliveries.map(({ raw, attempt }) =>
              deliver(this.binding, raw, attempt, this.observers),
            ),
          );
      const putOff: Deferred<string>[] = [];
      deliveries.forEach((event, i) => {
        if (this.deferred.take(event.id, event.attempt, outcomes[i]!, startedAt))
          putOff.push({ item: event.id, attempt: event.attempt });
        else {
          // Not an async step per event: at thousands a second its promise shows in the GC.
          const settled = this.settle(event, outcomes[i]!);
          if (settled) settling.push(settled);
        }
      });
      if (putOff.length > 0) settling.push(this.backend.uncount(putOff));
      logRetries(this.logger, this.binding, this.binding.pipeline, outcomes, (i) => deliveries[i]!);
    }
    if (settling.length > 0) await Promise.all(settling);
  }

  /**
   * Settles an event that is not for the handler: one whose dead-lettering is owed, gone,
   * addressed to another pipeline, without an envelope, or past its deliveries (its consumer
   * died on it). Undefined for an event to deliver.
   */
  private settleUnhandled(event: Received): Promise<void> | undefined {
    const { id, raw, attempt } = event;
    const owed = raw === undefined ? undefined : this.deadLettering.owedFor(event, raw);
    if (owed) return owed;
    if (event.gone) {
      this.logger.warn(
        `${this.binding.event} ${id} for ${this.binding.pipeline}: trimmed away by the stream's retention before it was handled; ` +
          'acknowledged. Raise the retention above the most events this pipeline may fall behind by',
      );
      return this.backend.ack(id) ?? SETTLED;
    }
    // A replay addressed to another pipeline: nothing for this one to do.
    if (event.target !== undefined && event.target !== this.binding.pipeline)
      return this.backend.ack(id) ?? SETTLED;
    if (raw === undefined) {
      // Written by something other than a publisher: kept as text, which is never replayed.
      const text = `a stream entry without an envelope: ${event.text ?? ''}`;
      return this.deadLettering.deadLetter(
        event,
        text,
        'malformed-envelope',
        'the stream entry has no envelope field',
      );
    }
    if (attempt > this.binding.maxDeliveries) {
      const error = `no result after ${attempt - 1} deliveries: the consumer handling it stopped`;
      return this.deadLettering.deadLetter(
        { ...event, attempt: attempt - 1 },
        raw,
        'max-deliveries',
        error,
      );
    }
    return undefined;
  }

  /** Acknowledges, leaves pending for a retry after its backoff, or dead-letters a handled event. */
  private settle(
    event: Received & { raw: string },
    outcome: DeliveryOutcome,
  ): Promise<void> | undefined {
    switch (outcome.kind) {
      case 'ack':
        // Stays in flight until the broker has the ack: the sweep would otherwise find it
        // pending and not in flight, and deliver a handled event again.
        return this.backend.ack(event.id);
      case 'dead':
        return flowContext.within(outcome.flow, () =>
          this.deadLettering.deadLetter(event, event.raw, outcome.reason, outcome.error),
        );
      default:
        // Logged by handle (logRetries), delivered again once its backoff has passed.
        this.backend.retryLater(event.id, this.backoff(event.attempt));
        return undefined;
    }
  }

  /** The wait before the next delivery after `attempt` failed, with jitter. */
  private backoff(attempt: number): number {
    return retryDelay(attempt, this.config.retry.baseDelayMs, this.config.retry.maxDelayMs);
  }

  private async sweep(): Promise<void> {
    if (this.stopping || this.isPaused()) return;
    try {
      await this.keepFresh();
      // Waiting out an outage: failed or abandoned events would only fail the same way.
      if (this.deferred.holding) return;
      await this.redeliverDue();
      await this.takeOverStale();
    } catch (error) {
      // A broker away is the read loop's to report, once; not a line per sweep.
      if (!this.stopping && !outageOf(error))
        this.logger.warn(
          `sweeping ${this.binding.event} for ${this.binding.pipeline}: ${(error as Error).message}`,
        );
    }
  }

  private async keepFresh(): Promise<void> {
    const now = Date.now();
    const fresh = now - this.config.claimIdleMs / 3;
    const ids = new Set<string>();
    for (const [id, touched] of this.inFlight) if (touched < fresh) ids.add(id);
    if (this.deferredTouched < fresh) {
      for (const id of this.deferred.items()) ids.add(id);
      this.deferredTouched = now;
    }
    if (ids.size === 0) return;
    await this.backend.keepFresh([...ids]);
    for (const id of ids) if (this.inFlight.has(id)) this.inFlight.set(id, now);
  }

  private freeSlots(): number {
    return Math.min(this.binding.concurrency - this.inFlight.size, this.binding.readSize);
  }

  private async redeliverDue(): Promise<void> {
    if (this.freeSlots() <= 0) return;
    const putOff = new Set(this.deferred.items());
    const due = await this.backend.due(
      this.freeSlots(),
      (id) => this.inFlight.has(id) || putOff.has(id),
    );
    if (due.length > 0 && !this.stopping) this.runAll(due);
  }

  private async takeOverStale(): Promise<void> {
    const now = Date.now();
    if (!this.backend.claimStale || this.freeSlots() <= 0) return;
    if (now - this.lastStaleScan < this.config.claimIdleMs / 4) return;
    this.lastStaleScan = now;
    const stale = await this.backend.claimStale(this.freeSlots());
    if (stale.length === 0 || this.stopping) return;
    this.logger.warn(
      `taking over ${stale.length} ${this.binding.event} events left pending in ${this.binding.pipeline} by stopped consumers`,
    );
    this.runAll(stale);
  }

  /**
   * Delivers events put off again, each with the delivery number it kept. A broker that fails
   * to give them back puts them on hold again, as an outage of the broker.
   */
  private async redeliverDeferred(items: Deferred<string>[]): Promise<void> {
    for (const [attempt, ids] of byAttempt(items)) {
      const startedAt = Date.now();
      try {
        const taken = await this.backend.reclaim(ids, attempt);
        if (!this.stopping) this.runAll(taken);
      } catch (error) {
        const outage = outageOf(error) ?? { dependency: 'broker', cause: 'claim failed' };
        const failed = { kind: 'outage', outage, error: describeError(error) } as const;
        for (const id of ids) this.deferred.take(id, attempt, failed, startedAt);
      }
    }
  }
}
