import type { DeadLetter } from '../../delivery/dead-letter.js';
import type { Deferred } from '../../delivery/deferred-deliveries.js';
import type {
  DeadLetterResult,
  Received,
  SubscriptionBackend,
} from '../../engine/subscription-backend.js';
import type { GroupCursor, InProcessBroker, PendingEntry } from './in-process.broker.js';

/**
 * One trigger's subscription on the in-process broker: the pipeline's cursor into the event's
 * log, with pending entries kept as a Redis group keeps them. One process, so one consumer:
 * nothing to take over, and nothing pending outlives the process.
 */
export class InProcessSubscription implements SubscriptionBackend {
  readonly durable = false;
  private cursor?: GroupCursor;

  constructor(
    private readonly broker: InProcessBroker,
    private readonly event: string,
    private readonly pipeline: string,
  ) {}

  private get pending(): Map<string, PendingEntry> {
    return this.cursor!.pendingEntries;
  }

  get awaitingRetry(): number {
    let count = 0;
    for (const { retryAt } of this.pending.values()) if (retryAt !== undefined) count++;
    return count;
  }

  async open(): Promise<void> {
    this.cursor = this.broker.subscribe(this.event, this.pipeline);
  }

  async read(count: number): Promise<Received[]> {
    const entries = this.cursor!.take(count);
    // Nothing new: wait for a publish (or a drain), as a blocking read would.
    if (entries.length === 0) await this.cursor!.wait();
    return entries.map((entry) => {
      const id = String(entry.seq);
      this.pending.set(id, { entry, deliveries: 1 });
      return { id, attempt: 1, raw: entry.raw, target: entry.target };
    });
  }

  wait(ms: number): Promise<void> {
    return Promise.race([this.cursor!.wait(), new Promise<void>((r) => setTimeout(r, ms))]);
  }

  interrupt(): void {
    this.cursor?.wake();
  }

  ack(id: string): undefined {
    this.pending.delete(id);
    return undefined;
  }

  retryLater(id: string, delayMs: number): void {
    const pending = this.pending.get(id);
    if (pending) pending.retryAt = Date.now() + delayMs;
  }

  async due(count: number, busy: (id: string) => boolean): Promise<Received[]> {
    const now = Date.now();
    const due: Received[] = [];
    for (const [id, pending] of this.pending) {
      if (due.length >= count) break;
      if (pending.retryAt === undefined || pending.retryAt > now || busy(id)) continue;
      pending.retryAt = undefined;
      due.push(this.deliverAgain(id, pending, pending.deliveries + 1));
    }
    return due;
  }

  async reclaim(ids: string[], attempt: number): Promise<Received[]> {
    const taken: Received[] = [];
    for (const id of ids) {
      const pending = this.pending.get(id);
      if (pending) taken.push(this.deliverAgain(id, pending, attempt));
    }
    return taken;
  }

  async uncount(putOff: Deferred<string>[]): Promise<void> {
    for (const { item, attempt } of putOff) {
      const pending = this.pending.get(item);
      if (pending) pending.deliveries = attempt - 1;
    }
  }

  async keepFresh(): Promise<void> {
    // One consumer: nobody could take its events for abandoned.
  }

  async deadLetter(id: string, letter: Omit<DeadLetter, 'id'>): Promise<DeadLetterResult> {
    // All or nothing, as over Redis: both steps are synchronous, so nothing runs between them.
    if (!this.pending.delete(id)) return 'not-pending';
    this.broker.addDeadLetter(letter);
    return 'written';
  }

  async leave(): Promise<void> {
    // Nothing to tidy: the cursor is this process's memory.
  }

  private deliverAgain(id: string, pending: PendingEntry, attempt: number): Received {
    pending.deliveries = attempt;
    pending.retryAt = undefined;
    const { raw, target } = pending.entry;
    return { id, attempt, raw, target };
  }
}
