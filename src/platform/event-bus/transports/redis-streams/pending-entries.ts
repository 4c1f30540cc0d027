import type { Logger } from '@nestjs/common';
import type { RedisConnection } from '../../../redis/index.js';
import { byAttempt, type Deferred } from '../../delivery/deferred-deliveries.js';
import type { StreamEntry } from './redis-streams.events.js';

/** XPENDING's extended form: id, consumer, idle ms, deliveries so far. */
export type PendingEntry = [id: string, consumer: string, idleMs: number, deliveries: number];

/**
 * One consumer's view of its group's pending entries list: what it reads there, claims, keeps
 * fresh and counts. The delivery count Redis keeps for an entry is what a replica taking it
 * over reads as its attempt, so every step here keeps it the number of real deliveries.
 */
export class PendingEntries {
  constructor(
    private readonly redis: RedisConnection,
    private readonly stream: string,
    private readonly group: string,
    private readonly consumer: string,
    private readonly event: string,
    private readonly logger: Logger,
  ) {}

  /** Entries idle at least `idleMs`, at most `count`: this consumer's only, or (`'all'`) everyone's. */
  async idle(idleMs: number, count: number, whose: 'mine' | 'all'): Promise<PendingEntry[]> {
    const range = [this.stream, this.group, 'IDLE', idleMs, '-', '+', count] as const;
    return (await (whose === 'mine'
      ? this.redis.xpending(...range, this.consumer)
      : this.redis.xpending(...range))) as PendingEntry[];
  }

  /**
   * Claims the entries idle at least `minIdleMs` (of two replicas racing for one, one wins),
   * counting a delivery, or setting the count to `deliveries` when given. An entry trimmed
   * away by retention while pending comes back with no fields (Redis 6) or not at all (Redis 7
   * drops it from the list): either way it is named in a warning.
   */
  async claim(ids: string[], minIdleMs: number, deliveries?: number): Promise<StreamEntry[]> {
    const count = deliveries === undefined ? [] : ['RETRYCOUNT', deliveries];
    const claimed = (await this.redis.xclaim(
      this.stream,
      this.group,
      this.consumer,
      minIdleMs,
      ...ids,
      ...count,
    )) as StreamEntry[];
    if (claimed.length < ids.length) await this.reportGone(ids, claimed);
    return claimed;
  }

  /**
   * Resets the idle time of entries this consumer is still working on, or holds, without
   * counting a delivery (JUSTID): a live consumer is not mistaken for a dead one.
   */
  async touch(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.xclaim(this.stream, this.group, this.consumer, 0, ...ids, 'JUSTID');
  }

  /**
   * Takes back the delivery that did not count (an outage, a RetryLaterError): each entry's
   * count goes back to its real deliveries. With the broker away it stays one higher until
   * the entry is claimed again with its count ({@link claim}); a crash before that costs the
   * event one delivery of its limit, never the event.
   */
  async uncount(putOff: Deferred<string>[]): Promise<void> {
    await Promise.all(
      [...byAttempt(putOff)].map(([attempt, ids]) =>
        this.redis
          .xclaim(
            this.stream,
            this.group,
            this.consumer,
            0,
            ...ids,
            'RETRYCOUNT',
            attempt - 1,
            'JUSTID',
          )
          .catch(() => undefined),
      ),
    );
  }

  /** Warns of entries gone from the stream before this pipeline handled them. */
  warnTrimmed(ids: string[]): void {
    this.logger.warn(
      `${ids.length === 1 ? `${this.event} ${ids[0]}` : `${ids.length} ${this.event} events (${ids.join(', ')})`} ` +
        `for ${this.group}: trimmed away by the stream's retention before they were handled; acknowledged. ` +
        'Raise the retention above the most events this pipeline may fall behind by',
    );
  }

  /** Of the entries not claimed, those gone from the stream: another replica holds the rest. */
  private async reportGone(ids: string[], claimed: StreamEntry[]): Promise<void> {
    const got = new Set(claimed.map(([id]) => id));
    const gone: string[] = [];
    for (const id of ids) {
      if (got.has(id)) continue;
      const [entry] = (await this.redis.xrange(this.stream, id, id)) as StreamEntry[];
      if (!entry) gone.push(id);
    }
    if (gone.length > 0) this.warnTrimmed(gone);
  }
}
