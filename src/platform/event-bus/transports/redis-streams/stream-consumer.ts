import type { Logger } from '@nestjs/common';
import { type RedisConnection, runScript } from '../../../redis/index.js';
import type { BusConfig } from '../../event-bus.config.js';
import { outageOf } from '../../../reliability/outage.js';
import type { BusObservers } from '../../bus-observers.js';
import { retryDelay } from '../../../reliability/backoff.js';
import type { DeadLetterReason } from '../../delivery/dead-letter.js';
import {
  byAttempt,
  type Deferred,
  DeferredDeliveries,
} from '../../delivery/deferred-deliveries.js';
import { describeError } from '../../../error-store/describe-error.js';
import {
  deliver,
  deliverBatch,
  type Delivery,
  type DeliveryOutcome,
} from '../../delivery/deliver.js';
import { envelopeOrText } from '../../event-envelope.js';
import { flowContext } from '../../flow-context.js';
import { logRetries } from '../../delivery/retry-log.js';
import type { TriggerBinding } from '../../delivery/trigger-binding.js';
import type { AckBatcher } from './ack-batcher.js';
import { PendingEntries, type PendingEntry } from './pending-entries.js';
import { ENVELOPE_FIELD, fieldOf, type StreamEntry, TARGET_FIELD } from './redis-streams.events.js';
import type { RedisStreamsKeys } from './redis-streams.keys.js';
import { DEAD_LETTER } from './redis-streams.scripts.js';

type ReadReply = [stream: string, entries: StreamEntry[]][] | null;

/** Why an event is to be dead-lettered, kept while its dead letter could not be written. */
interface OwedDeadLetter {
  attempts: number;
  reason: DeadLetterReason;
  error: string;
}

/**
 * Consumes one trigger's stream as one member of the pipeline's consumer group.
 *
 * - New events come from a blocking XREADGROUP on a connection of its own, never more at
 *   once than the trigger's concurrency.
 * - A failed event stays pending; a periodic sweep claims it back (XCLAIM increments its
 *   delivery count) once its backoff has passed, and dead-letters it past `maxDeliveries`.
 * - The same sweep claims events left pending by consumers idle longer than `claimIdleMs`
 *   (a crashed replica), and keeps the events this consumer is still handling fresh so that
 *   a slow handler is not mistaken for a dead one.
 * - An event held through an outage or put off by a RetryLaterError (see
 *   {@link DeferredDeliveries}) stays pending on this consumer, kept fresh too, with its
 *   delivery count set back (XCLAIM `RETRYCOUNT`) so that the count is always the number of
 *   real deliveries: a replica that takes it over after a crash sees the right attempt.
 */
export class StreamConsumer {
  /** Events being handled, with the time their idle clock was last reset. */
  private readonly inFlight = new Map<string, number>();
  private readonly stream: string;
  private stopping = false;
  private loop?: Promise<void>;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private lastStaleScan = 0;
  private onSlotFree?: () => void;
  private onIdle?: () => void;
  /** Events held through an outage or put off by a RetryLaterError, by stream id. */
  private readonly deferred: DeferredDeliveries<string>;
  private deferredTouched = 0;
  private readonly pending: PendingEntries;
  /**
   * Events whose dead letter could not be written, by stream id: still pending, claimed back
   * by the sweep after their backoff, then dead-lettered for the reason they first had rather
   * than handled again.
   */
  private readonly owed = new Map<string, OwedDeadLetter>();

  constructor(
    private readonly binding: TriggerBinding,
    private readonly keys: RedisStreamsKeys,
    private readonly commands: RedisConnection,
    private readonly reader: RedisConnection,
    private readonly acks: AckBatcher,
    private readonly config: BusConfig,
    private readonly consumerName: string,
    private readonly logger: Logger,
    private readonly observers: BusObservers,
    private readonly isPaused: (pipeline: string) => boolean,
  ) {
    this.stream = keys.stream(binding.event);
    this.pending = new PendingEntries(
      commands,
      this.stream,
      binding.pipeline,
      consumerName,
      binding.event,
      logger,
    );
    this.deferred = new DeferredDeliveries(
      binding,
      config.retry,
      observers,
      logger,
      (items) => void this.claimDeferred(items),
    );
  }

  private get group(): string {
    return this.binding.pipeline;
  }

  async start(): Promise<void> {
    await this.ensureGroup();
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
    this.onSlotFree?.();
    // Not waited for: they stay pending, their counts true, for another replica to take over.
    const putOff = this.deferred.stop();
    if (putOff > 0) {
      this.logger.log(
        `${putOff} ${this.binding.event} events put off in ${this.group} stay pending for another replica`,
      );
    }
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.all([this.loop, this.sweeping]), deadline]);
    if (this.inFlight.size > 0) {
      await Promise.race([new Promise<void>((resolve) => (this.onIdle = resolve)), deadline]);
    }
    if (this.inFlight.size > 0) {
      this.logger.warn(
        `${this.inFlight.size} ${this.binding.event} events still running for ${this.group} at shutdown; another replica will take them over`,
      );
    }
  }

  /** Leaves the group if nothing is pending for this consumer, so dead names do not pile up. */
  async leave(): Promise<void> {
    const pending = (await this.commands.xpending(
      this.stream,
      this.group,
      '-',
      '+',
      1,
      this.consumerName,
    )) as unknown[];
    if (pending.length === 0) {
      await this.commands.xgroup('DELCONSUMER', this.stream, this.group, this.consumerName);
    }
  }

  /** Creates the group if it does not exist, reading from `from` (`bus.startFrom` at start). */
  private async ensureGroup(
    from: '0' | '$' = this.config.startFrom === 'earliest' ? '0' : '$',
  ): Promise<void> {
    try {
      await this.commands.xgroup('CREATE', this.stream, this.group, from, 'MKSTREAM');
    } catch (error) {
      if (!(error as Error).message.includes('BUSYGROUP')) throw error;
    }
  }

  private async readLoop(): Promise<void> {
    while (!this.stopping) {
      if (this.isPaused(this.group)) {
        // Paused by an operator: events wait in the group; the flag is re-read periodically.
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.config.blockMs, 500)));
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
      let reply: ReadReply;
      const startedAt = Date.now();
      try {
        reply = (await this.reader.xreadgroup(
          'GROUP',
          this.group,
          this.consumerName,
          'COUNT',
          Math.min(free, this.binding.readSize),
          'BLOCK',
          this.config.blockMs,
          'STREAMS',
          this.stream,
          '>',
        )) as ReadReply;
      } catch (error) {
        if (this.stopping) break;
        await this.recoverFromReadError(error as Error);
        continue;
      }
      this.deferred.answered(startedAt);
      for (const [, entries] of reply ?? []) this.runAll(entries, () => 1);
    }
  }

  private async recoverFromReadError(error: Error): Promise<void> {
    if (error.message.includes('NOGROUP')) {
      // The stream or group was deleted under us (a flush, an admin): recreate it from the
      // start of the stream, whatever `bus.startFrom` says: from its end ('$') would skip the
      // events published since it went. A failure here is not lost: the next read fails the
      // same way, a second later, and is reported and retried.
      this.logger.warn(
        `the consumer group ${this.group} of ${this.stream} is gone (deleted, or the stream flushed): ` +
          'recreating it from the start of the stream, so that no event published meanwhile is skipped',
      );
      await this.ensureGroup('0').catch(() => new Promise((resolve) => setTimeout(resolve, 1000)));
      return;
    }
    const outage = outageOf(error);
    if (outage) {
      // Logged once per outage, with waits that grow until the broker answers a read.
      this.deferred.failed(outage);
      await new Promise((resolve) => setTimeout(resolve, this.deferred.nextWait()));
      return;
    }
    this.logger.warn(`reading ${this.stream} for ${this.group} failed: ${error.message}; retrying`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  /** Handles entries read or claimed together: one by one, or as batches for a batch trigger. */
  private runAll(entries: StreamEntry[], attemptOf: (id: string) => number): void {
    if (!this.binding.batch) {
      for (const [id, fields] of entries) this.run([[id, fields]], attemptOf);
      return;
    }
    this.run(entries, attemptOf);
  }

  private run(entries: StreamEntry[], attemptOf: (id: string) => number): void {
    const now = Date.now();
    for (const [id] of entries) this.inFlight.set(id, now);
    void this.handle(entries, attemptOf)
      .catch((error: Error) => {
        // Only Redis failures land here; the events stay pending and the sweep retries them.
        this.logger.error(
          `handling ${this.binding.event} ${entries.map(([id]) => id).join(', ')} for ${this.group}: ${error.message}`,
        );
      })
      .finally(() => {
        for (const [id] of entries) this.inFlight.delete(id);
        this.onSlotFree?.();
        this.onSlotFree = undefined;
        if (this.inFlight.size === 0) this.onIdle?.();
      });
  }

  private async handle(entries: StreamEntry[], attemptOf: (id: string) => number): Promise<void> {
    const startedAt = Date.now();
    const settling: Promise<void>[] = [];
    const deliveries: (Delivery & { id: string; raw: string })[] = [];
    for (const [id, fields] of entries) {
      const attempt = attemptOf(id);
      const target = fieldOf(fields, TARGET_FIELD);
      const raw = fieldOf(fields, ENVELOPE_FIELD);
      const owed = this.owed.get(id);
      if (owed && raw !== undefined) {
        settling.push(this.deadLetter(id, raw, owed.attempts, owed.reason, owed.error));
      } else if (fields === null) {
        // Trimmed away by retention while pending (Redis 6 hands it back empty).
        this.pending.warnTrimmed([id]);
        void this.acks.add(this.stream, this.group, id);
      } else if (target !== undefined && target !== this.group) {
        // A replay addressed to another pipeline: nothing for this one to do.
        void this.acks.add(this.stream, this.group, id);
      } else if (raw === undefined) {
        // Written by something other than a publisher: kept as text, which is never replayed.
        const text = `a stream entry without an envelope: ${fields.join(' ')}`;
        const error = `the stream entry has no ${ENVELOPE_FIELD} field`;
        settling.push(this.deadLetter(id, text, attempt, 'malformed-envelope', error));
      } else if (attempt > this.binding.maxDeliveries) {
        const error = `no result after ${attempt - 1} deliveries: the consumer handling it stopped`;
        settling.push(this.deadLetter(id, raw, attempt - 1, 'max-deliveries', error));
      } else deliveries.push({ id, raw, attempt });
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
      deliveries.forEach(({ id, raw, attempt }, i) => {
        if (this.deferred.take(id, attempt, outcomes[i]!, startedAt))
          putOff.push({ item: id, attempt });
        else settling.push(this.settle(id, raw, attempt, outcomes[i]!));
      });
      if (putOff.length > 0) settling.push(this.pending.uncount(putOff));
      logRetries(this.logger, this.binding, this.group, outcomes, (i) => deliveries[i]!);
    }
    await Promise.all(settling);
  }

  /** Acknowledges, leaves pending for redelivery, or dead-letters one handled event. */
  private async settle(
    id: string,
    raw: string,
    attempt: number,
    outcome: DeliveryOutcome,
  ): Promise<void> {
    switch (outcome.kind) {
      case 'ack':
        // Stays in flight until the XACK is done: the sweep, on another connection, would
        // otherwise find it still pending and not in flight, and redeliver a handled event.
        await this.acks.add(this.stream, this.group, id);
        return;
      case 'dead':
        return flowContext.within(outcome.flow, () =>
          this.deadLetter(id, raw, attempt, outcome.reason, outcome.error),
        );
      default:
        // Left pending: the sweep claims it back once its backoff has passed (logged by handle).
        return;
    }
  }

  private async deadLetter(
    id: string,
    raw: string,
    attempts: number,
    reason: DeadLetterReason,
    error: string,
  ): Promise<void> {
    const deadAt = new Date().toISOString();
    const { event } = this.binding;
    let written: unknown;
    try {
      // One script: the dead letter is written and the entry acknowledged, or neither is.
      written = await runScript(
        this.commands,
        DEAD_LETTER,
        [this.keys.deadLetter(event), this.stream],
        [
          this.group,
          id,
          this.config.deadLetter.maxLength,
          ...['event', event, 'pipeline', this.group, 'reason', reason, 'error', error],
          ...['attempts', String(attempts), 'deadAt', deadAt, 'envelope', raw],
        ],
      );
    } catch (failure) {
      this.owed.set(id, { attempts, reason, error });
      this.logger.error(
        `${event} ${id} could not be dead-lettered for ${this.group} (${reason}): ${describeError(failure)}; ` +
          'it stays pending, and its dead-lettering is tried again after its backoff',
      );
      return;
    }
    this.owed.delete(id);
    if (written === null) {
      this.logger.warn(
        `${event} ${id} was no longer pending in ${this.group} when it was to be dead-lettered (${reason}): ` +
          'another consumer settled it; no dead letter written',
      );
      return;
    }
    if (typeof written !== 'string') {
      throw new Error(`dead-lettering ${event} ${id}: Redis answered ${JSON.stringify(written)}`);
    }
    this.logger.error(
      `${this.binding.event} ${id} dead-lettered for ${this.group} (${reason}): ${error}`,
    );
    this.observers.deadLettered({
      event: this.binding.event,
      pipeline: this.group,
      reason,
      error,
      attempts,
      deadAt,
      envelope: envelopeOrText(raw),
    });
  }

  private async sweep(): Promise<void> {
    if (this.stopping || this.isPaused(this.group)) return;
    try {
      await this.keepInFlightFresh();
      // Waiting out an outage: failed or abandoned events would only fail the same way.
      if (this.deferred.holding) return;
      await this.redeliverFailed();
      await this.takeOverStale();
    } catch (error) {
      // A broker away is the read loop's to report, once; not a line per sweep.
      if (!this.stopping && !outageOf(error))
        this.logger.warn(`sweeping ${this.stream} for ${this.group}: ${(error as Error).message}`);
    }
  }

  private async keepInFlightFresh(): Promise<void> {
    const now = Date.now();
    const fresh = now - this.config.claimIdleMs / 3;
    const ids = new Set<string>();
    for (const [id, touched] of this.inFlight) if (touched < fresh) ids.add(id);
    if (this.deferredTouched < fresh) {
      for (const id of this.deferred.items()) ids.add(id);
      this.deferredTouched = now;
    }
    await this.pending.touch([...ids]);
    for (const id of ids) if (this.inFlight.has(id)) this.inFlight.set(id, now);
  }

  private freeSlots(): number {
    return Math.min(this.binding.concurrency - this.inFlight.size, this.binding.readSize);
  }

  private async redeliverFailed(): Promise<void> {
    if (this.freeSlots() <= 0) return;
    const { baseDelayMs, maxDelayMs } = this.config.retry;
    const mine = await this.pending.idle(baseDelayMs, this.binding.readSize, 'mine');
    const putOff = new Set(this.deferred.items());
    const due = mine.filter(
      ([id, , idle, deliveries]) =>
        !this.inFlight.has(id) &&
        !putOff.has(id) &&
        idle >= retryDelay(deliveries, baseDelayMs, maxDelayMs, () => 0.5),
    );
    await this.claimAndRun(due.slice(0, this.freeSlots()), baseDelayMs);
  }

  private async takeOverStale(): Promise<void> {
    const now = Date.now();
    if (now - this.lastStaleScan < this.config.claimIdleMs / 4 || this.freeSlots() <= 0) return;
    this.lastStaleScan = now;
    const stale = await this.pending.idle(this.config.claimIdleMs, this.binding.readSize, 'all');
    const others = stale.filter(([, consumer]) => consumer !== this.consumerName);
    if (others.length > 0) {
      this.logger.warn(
        `taking over ${others.length} ${this.binding.event} events left pending in ${this.group} by stopped consumers`,
      );
    }
    await this.claimAndRun(others.slice(0, this.freeSlots()), this.config.claimIdleMs);
  }

  /** XCLAIM with a minimum idle time: when two replicas race for an event, one wins it. */
  private async claimAndRun(pending: PendingEntry[], minIdleMs: number): Promise<void> {
    if (pending.length === 0) return;
    const deliveries = new Map(pending.map(([id, , , count]) => [id, count]));
    const claimed = await this.pending.claim([...deliveries.keys()], minIdleMs);
    if (this.stopping) return;
    this.runAll(claimed, (id) => (deliveries.get(id) ?? 0) + 1);
  }

  /**
   * Delivers events put off again, each with the delivery number it kept. A claim that fails
   * (the broker away) puts them back on hold, as an outage of the broker.
   */
  private async claimDeferred(items: Deferred<string>[]): Promise<void> {
    for (const [attempt, ids] of byAttempt(items)) {
      const startedAt = Date.now();
      try {
        const claimed = await this.pending.claim(ids, 0, attempt);
        if (!this.stopping) this.runAll(claimed, () => attempt);
      } catch (error) {
        const outage = outageOf(error) ?? { dependency: 'broker', cause: 'claim failed' };
        const failed = { kind: 'outage', outage, error: describeError(error) } as const;
        for (const id of ids) this.deferred.take(id, attempt, failed, startedAt);
      }
    }
  }
}
