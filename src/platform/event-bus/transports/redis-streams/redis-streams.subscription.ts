import type { Logger } from '@nestjs/common';
import { type RedisConnection, runScript } from '../../../redis/index.js';
import { retryDelay } from '../../../reliability/backoff.js';
import type { BusConfig } from '../../event-bus.config.js';
import type { DeadLetter } from '../../delivery/dead-letter.js';
import type { Deferred } from '../../delivery/deferred-deliveries.js';
import type {
  DeadLetterResult,
  Received,
  SubscriptionBackend,
} from '../../engine/subscription-backend.js';
import type { AckBatcher } from './ack-batcher.js';
import { PendingEntries } from './pending-entries.js';
import { ENVELOPE_FIELD, fieldOf, type StreamEntry, TARGET_FIELD } from './redis-streams.events.js';
import type { RedisStreamsKeys } from './redis-streams.keys.js';
import { DEAD_LETTER } from './redis-streams.scripts.js';

type ReadReply = [stream: string, entries: StreamEntry[]][] | null;

/**
 * One trigger's subscription on Redis Streams: the event's stream, the pipeline's consumer
 * group, this process as one consumer of it. Pending entries are the group's pending entries
 * list; their delivery count is Redis's, which a replica taking an entry over reads as its
 * attempt.
 */
export class RedisStreamsSubscription implements SubscriptionBackend {
  readonly durable = true;
  private readonly stream: string;
  private readonly pending: PendingEntries;
  /** When each failed entry of this consumer is due again (`Date.now()` ms), by id. */
  private readonly retryAt = new Map<string, number>();

  constructor(
    private readonly event: string,
    private readonly group: string,
    private readonly keys: RedisStreamsKeys,
    private readonly commands: RedisConnection,
    private readonly reader: RedisConnection,
    private readonly acks: AckBatcher,
    private readonly config: BusConfig,
    private readonly consumer: string,
    private readonly logger: Logger,
  ) {
    this.stream = keys.stream(event);
    this.pending = new PendingEntries(commands, this.stream, group, consumer, event, logger);
  }

  get awaitingRetry(): number {
    return this.retryAt.size;
  }

  /** Creates the group if it does not exist, reading from `from` (`bus.startFrom` at start). */
  async open(from: '0' | '$' = this.config.startFrom === 'earliest' ? '0' : '$'): Promise<void> {
    try {
      await this.commands.xgroup('CREATE', this.stream, this.group, from, 'MKSTREAM');
    } catch (error) {
      if (!(error as Error).message.includes('BUSYGROUP')) throw error;
    }
  }

  async read(count: number): Promise<Received[]> {
    let reply: ReadReply;
    try {
      // On its own connection (on a Cluster, its own set of them): a blocking read holds it.
      reply = (await this.reader.xreadgroup(
        'GROUP',
        this.group,
        this.consumer,
        'COUNT',
        count,
        'BLOCK',
        this.config.blockMs,
        'STREAMS',
        this.stream,
        '>',
      )) as ReadReply;
    } catch (error) {
      if (!(error as Error).message.includes('NOGROUP')) throw error;
      await this.recreateGroup();
      return [];
    }
    return (reply?.[0]?.[1] ?? []).map((entry) => received(entry, 1));
  }

  /**
   * The stream or group was deleted under us (a flush, an admin): recreated from the start of
   * the stream, whatever `bus.startFrom` says: from its end ('$') would skip the events
   * published since it went. A failure here is not lost: the next read fails the same way, a
   * second later, and is reported and retried.
   */
  private async recreateGroup(): Promise<void> {
    this.logger.warn(
      `the consumer group ${this.group} of ${this.stream} is gone (deleted, or the stream flushed): ` +
        'recreating it from the start of the stream, so that no event published meanwhile is skipped',
    );
    await this.open('0').catch(() => new Promise((resolve) => setTimeout(resolve, 1000)));
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  interrupt(): void {
    // A blocking XREADGROUP cannot be cut short; it returns within `bus.blockMs`.
  }

  ack(id: string): Promise<void> {
    if (this.retryAt.size > 0) this.retryAt.delete(id);
    return this.acks.add(this.stream, this.group, id);
  }

  retryLater(id: string, delayMs: number): void {
    this.retryAt.set(id, Date.now() + delayMs);
  }

  async due(count: number, busy: (id: string) => boolean): Promise<Received[]> {
    const { baseDelayMs, maxDelayMs } = this.config.retry;
    const now = Date.now();
    // A read's worth scanned, not just `count`: the oldest entries may have longer backoffs
    // than later ones, and must not starve them.
    const scan = Math.max(count, this.config.readBatchSize);
    const mine = await this.pending.idle(baseDelayMs, scan, 'mine');
    const due = mine.filter(([id, , idle, deliveries]) => {
      if (busy(id)) return false;
      // An entry with no retry time of its own (its handling failed on a broker error) waits
      // the backoff its count says, from its last delivery.
      const at =
        this.retryAt.get(id) ??
        now - idle + retryDelay(deliveries, baseDelayMs, maxDelayMs, () => 0.5);
      return at <= now;
    });
    return this.claim(due.slice(0, count), baseDelayMs);
  }

  async claimStale(count: number): Promise<Received[]> {
    const stale = await this.pending.idle(this.config.claimIdleMs, count, 'all');
    return this.claim(
      stale.filter(([, consumer]) => consumer !== this.consumer),
      this.config.claimIdleMs,
    );
  }

  /** XCLAIM with a minimum idle time: when two replicas race for an entry, one wins it. */
  private async claim(
    entries: [id: string, consumer: string, idle: number, deliveries: number][],
    minIdleMs: number,
  ): Promise<Received[]> {
    if (entries.length === 0) return [];
    const deliveries = new Map(entries.map(([id, , , count]) => [id, count]));
    const claimed = await this.pending.claim([...deliveries.keys()], minIdleMs);
    for (const [id] of claimed) this.retryAt.delete(id);
    return claimed.map((entry) => received(entry, (deliveries.get(entry[0]) ?? 0) + 1));
  }

  async reclaim(ids: string[], attempt: number): Promise<Received[]> {
    const claimed = await this.pending.claim(ids, 0, attempt);
    for (const [id] of claimed) this.retryAt.delete(id);
    return claimed.map((entry) => received(entry, attempt));
  }

  uncount(putOff: Deferred<string>[]): Promise<void> {
    return this.pending.uncount(putOff);
  }

  keepFresh(ids: string[]): Promise<void> {
    return this.pending.touch(ids);
  }

  async deadLetter(
    id: string,
    letter: Omit<DeadLetter, 'id'>,
    raw: string,
  ): Promise<DeadLetterResult> {
    const { event, pipeline, reason, error, attempts, deadAt } = letter;
    // One script: the dead letter is written and the entry acknowledged, or neither is.
    const written = await runScript(
      this.commands,
      DEAD_LETTER,
      [this.keys.deadLetter(event), this.stream],
      [
        this.group,
        id,
        this.config.deadLetter.maxLength,
        ...['event', event, 'pipeline', pipeline, 'reason', reason, 'error', error],
        ...['attempts', String(attempts), 'deadAt', deadAt, 'envelope', raw],
      ],
    );
    if (written === null) return 'not-pending';
    if (typeof written !== 'string') {
      throw new Error(`Redis answered ${JSON.stringify(written)}`);
    }
    this.retryAt.delete(id);
    return 'written';
  }

  async leave(): Promise<void> {
    const pending = (await this.commands.xpending(
      this.stream,
      this.group,
      '-',
      '+',
      1,
      this.consumer,
    )) as unknown[];
    if (pending.length === 0) {
      await this.commands.xgroup('DELCONSUMER', this.stream, this.group, this.consumer);
    }
  }
}

/** A stream entry as the engine takes it. */
function received([id, fields]: StreamEntry, attempt: number): Received {
  // Trimmed away by retention while pending: Redis 6 hands it back with no fields.
  if (fields === null) return { id, attempt, gone: true };
  const raw = fieldOf(fields, ENVELOPE_FIELD);
  const target = fieldOf(fields, TARGET_FIELD);
  // The text only for an entry without an envelope (its dead letter): not a join per event.
  return raw === undefined
    ? { id, attempt, text: fields.join(' '), target }
    : { id, attempt, raw, target };
}
