import type { Logger } from '@nestjs/common';
import type { BusConfig } from '../../event-bus.config.js';
import type { BusObservers } from '../../bus-observers.js';
import { retryDelay } from '../../../reliability/backoff.js';
import {
  byAttempt,
  type Deferred,
  DeferredDeliveries,
} from '../../delivery/deferred-deliveries.js';
import { deliver, deliverBatch, type DeliveryOutcome } from '../../delivery/deliver.js';
import { flowContext } from '../../flow-context.js';
import { logRetries } from '../../delivery/retry-log.js';
import { envelopeOrText } from '../../event-envelope.js';
import type { TriggerBinding } from '../../delivery/trigger-binding.js';
import type { GroupCursor, InProcessBroker } from './in-process.broker.js';

/** Consumes one trigger's event log in this process, with the Redis consumer's rules. */
export class InProcessConsumer {
  private inFlight = 0;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private cursor?: GroupCursor;
  private loop?: Promise<void>;
  private onSlotFree?: () => void;
  private onIdle?: () => void;
  /** Events held through an outage or put off by a RetryLaterError, by their raw text. */
  private readonly deferred: DeferredDeliveries<string>;

  constructor(
    private readonly binding: TriggerBinding,
    private readonly broker: InProcessBroker,
    private readonly config: BusConfig,
    private readonly logger: Logger,
    private readonly observers: BusObservers,
  ) {
    this.deferred = new DeferredDeliveries(binding, config.retry, observers, logger, (items) =>
      this.redeliver(items),
    );
  }

  start(): void {
    this.cursor = this.broker.subscribe(this.binding.event, this.binding.pipeline);
    this.loop = this.readLoop(this.cursor);
  }

  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.cursor?.wake();
    this.onSlotFree?.();
    for (const timer of this.retryTimers) clearTimeout(timer);
    // Events put off (an outage, a RetryLaterError) are not waited for either.
    const dropped = this.retryTimers.size + this.deferred.stop();
    if (dropped > 0) {
      this.logger.warn(
        `${dropped} ${this.binding.event} events awaiting redelivery in ${this.binding.pipeline} are dropped: the in-process bus keeps nothing across a restart`,
      );
    }
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([this.loop, deadline]);
    if (this.inFlight > 0)
      await Promise.race([new Promise<void>((r) => (this.onIdle = r)), deadline]);
  }

  private async readLoop(cursor: GroupCursor): Promise<void> {
    while (!this.stopping) {
      if (this.broker.isPaused(this.binding.pipeline)) {
        await cursor.wait();
        continue;
      }
      if (this.deferred.holding) {
        // Waiting out an outage: new events would only fail the same way.
        await this.deferred.resumed();
        continue;
      }
      const free = this.binding.concurrency - this.inFlight;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.onSlotFree = resolve));
        continue;
      }
      const entries = cursor.take(Math.min(free, this.binding.readSize));
      if (entries.length === 0) {
        await cursor.wait();
        continue;
      }
      // A replay addressed to another pipeline: not ours to handle.
      const ours = entries.filter((e) => !e.target || e.target === this.binding.pipeline);
      cursor.pending += ours.length;
      if (this.binding.batch) this.run(ours.map((e) => e.raw));
      else for (const entry of ours) this.run([entry.raw]);
    }
  }

  /** Events taken together, on their first delivery or (one at a time) a redelivery. */
  private run(raws: string[], attempt = 1): void {
    if (raws.length === 0) return;
    this.inFlight += raws.length;
    void this.handle(raws, attempt).finally(() => {
      this.inFlight -= raws.length;
      this.onSlotFree?.();
      this.onSlotFree = undefined;
      if (this.inFlight === 0) this.onIdle?.();
    });
  }

  /** Events put off, delivered again with the delivery number they kept (by number, for batches). */
  private redeliver(items: Deferred<string>[]): void {
    for (const [attempt, raws] of byAttempt(items)) {
      if (this.binding.batch) this.run(raws, attempt);
      else for (const raw of raws) this.run([raw], attempt);
    }
  }

  private async handle(raws: string[], attempt: number): Promise<void> {
    const startedAt = Date.now();
    const outcomes = this.binding.batch
      ? await deliverBatch(
          this.binding,
          raws.map((raw) => ({ raw, attempt })),
          this.observers,
        )
      : await Promise.all(raws.map((raw) => deliver(this.binding, raw, attempt, this.observers)));
    raws.forEach((raw, i) => this.settle(raw, attempt, outcomes[i]!, startedAt));
    logRetries(this.logger, this.binding, this.binding.pipeline, outcomes, () => ({ attempt }));
  }

  private settle(raw: string, attempt: number, outcome: DeliveryOutcome, startedAt: number): void {
    const { event, pipeline } = this.binding;
    // Held or put off: still pending, delivered again by `deferred` with the same number.
    if (this.deferred.take(raw, attempt, outcome, startedAt)) return;
    if (outcome.kind === 'ack') this.cursor!.pending--;
    if (outcome.kind === 'retry') {
      const delay = retryDelay(
        attempt,
        this.config.retry.baseDelayMs,
        this.config.retry.maxDelayMs,
      );
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        if (!this.stopping) this.run([raw], attempt + 1);
      }, delay);
      this.retryTimers.add(timer);
    } else if (outcome.kind === 'dead') {
      const letter = {
        event,
        pipeline,
        reason: outcome.reason,
        error: outcome.error,
        attempts: attempt,
        deadAt: new Date().toISOString(),
        envelope: envelopeOrText(raw),
      };
      // All or nothing, as over Redis: the event stops counting as pending only once its dead
      // letter is stored (a synchronous step in memory, so nothing runs between the two).
      this.broker.addDeadLetter(letter);
      this.cursor!.pending--;
      this.observers.deadLettered(letter);
      flowContext.within(outcome.flow, () =>
        this.logger.error(
          `${event} dead-lettered for ${pipeline} (${outcome.reason}): ${outcome.error}`,
        ),
      );
    }
  }
}
