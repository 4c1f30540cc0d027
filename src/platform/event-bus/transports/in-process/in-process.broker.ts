import type { BusConfig } from '../../event-bus.config.js';
import type { DeadLetter } from '../../delivery/dead-letter.js';
import type { StreamDescription } from '../../stream-description.js';

export interface Entry {
  seq: number;
  at: number;
  /** Serialized once at publish: every subscriber parses its own copy, as over Redis. */
  raw: string;
  /** Set on a replay: only this pipeline handles the entry; the others skip it. */
  target?: string;
}

/** An entry handed to a pipeline and not yet acknowledged or dead-lettered. */
export interface PendingEntry {
  entry: Entry;
  /** Deliveries so far, as a Redis pending entry counts them. */
  deliveries: number;
  /** When a failed entry is due again (`Date.now()` ms); unset while it is being handled. */
  retryAt?: number;
}

/** A pipeline's read position in one event's log, and the entries it has pending. */
export class GroupCursor {
  private waiter?: () => void;
  /** Entries handed out and not yet finished (in flight or awaiting redelivery), by id. */
  readonly pendingEntries = new Map<string, PendingEntry>();

  constructor(
    private readonly log: EventLog,
    private next: number,
  ) {}

  get pending(): number {
    return this.pendingEntries.size;
  }

  /** Entries of the log this group has not taken yet. */
  get lag(): number {
    return this.log.endSeq - Math.max(this.next, this.log.firstSeq);
  }

  /** Up to `count` entries not yet handed to this group. */
  take(count: number): Entry[] {
    const entries = this.log.slice(this.next, count);
    if (entries.length > 0) this.next = entries[entries.length - 1]!.seq + 1;
    else this.next = Math.max(this.next, this.log.firstSeq);
    return entries;
  }

  /** Resolves when the log may have something new. */
  wait(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

/** One event's retained log, shared by the groups that read it. */
class EventLog {
  private entries: Entry[] = [];
  private head = 0;
  private nextSeq = 0;
  readonly groups = new Map<string, GroupCursor>();

  get firstSeq(): number {
    return this.entries[this.head]?.seq ?? this.nextSeq;
  }

  get endSeq(): number {
    return this.nextSeq;
  }

  get length(): number {
    return this.entries.length - this.head;
  }

  append(raw: string, retention: { maxLength?: number; maxAgeMs?: number }, target?: string): void {
    const now = Date.now();
    this.entries.push({ seq: this.nextSeq++, at: now, raw, target });
    if (retention.maxLength) {
      while (this.length > retention.maxLength) this.head++;
    } else if (retention.maxAgeMs) {
      while (this.length > 0 && now - this.entries[this.head]!.at > retention.maxAgeMs) this.head++;
    }
    // Compact now and then rather than shifting the array on every trim.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    for (const group of this.groups.values()) group.wake();
  }

  slice(fromSeq: number, count: number): Entry[] {
    const start = this.head + Math.max(0, fromSeq - this.firstSeq);
    return this.entries.slice(start, start + count);
  }
}

/**
 * The embedded default's broker: per event a retained log, per subscribing pipeline a
 * cursor into it. The semantics follow the Redis Streams transport (fan-out, groups
 * starting from the earliest retained event, retention, dead letters) except that
 * everything lives in this process's memory and is gone on restart.
 */
export class InProcessBroker {
  private readonly logs = new Map<string, EventLog>();
  private readonly deadLetters: DeadLetter[] = [];
  private deadLetterSeq = 0;
  private readonly paused = new Set<string>();

  constructor(private readonly config: BusConfig) {}

  publish(event: string, raw: string, target?: string): void {
    this.log(event).append(raw, this.config.streams[event] ?? this.config.retention, target);
  }

  setPaused(pipeline: string, paused: boolean): void {
    if (paused) {
      this.paused.add(pipeline);
      return;
    }
    this.paused.delete(pipeline);
    for (const log of this.logs.values()) log.groups.get(pipeline)?.wake();
  }

  isPaused(pipeline: string): boolean {
    return this.paused.has(pipeline);
  }

  pausedPipelines(): string[] {
    return [...this.paused];
  }

  describe(): StreamDescription[] {
    return [...this.logs]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([event, log]) => ({
        event,
        length: log.length,
        groups: [...log.groups].map(([pipeline, cursor]) => ({
          pipeline,
          pending: cursor.pending,
          lag: cursor.lag,
          consumers: [{ name: 'in-process', pending: cursor.pending, idleMs: 0 }],
        })),
      }));
  }

  backlog(event: string): number {
    const groups = [...(this.logs.get(event)?.groups.values() ?? [])];
    return Math.max(0, ...groups.map((cursor) => cursor.lag + cursor.pending));
  }

  /** Removes and returns a dead letter. */
  takeDeadLetter(id: string): DeadLetter | undefined {
    const index = this.deadLetters.findIndex((letter) => letter.id === id);
    return index < 0 ? undefined : this.deadLetters.splice(index, 1)[0];
  }

  findDeadLetter(id: string): DeadLetter | undefined {
    return this.deadLetters.find((letter) => letter.id === id);
  }

  /** The cursor of `pipeline` on `event`, created at the earliest or latest event. */
  subscribe(event: string, pipeline: string): GroupCursor {
    const log = this.log(event);
    let cursor = log.groups.get(pipeline);
    if (!cursor) {
      cursor = new GroupCursor(
        log,
        this.config.startFrom === 'earliest' ? log.firstSeq : log.endSeq,
      );
      log.groups.set(pipeline, cursor);
    }
    return cursor;
  }

  addDeadLetter(letter: Omit<DeadLetter, 'id'>): DeadLetter {
    const stored = { id: String(++this.deadLetterSeq), ...letter };
    this.deadLetters.push(stored);
    if (this.deadLetters.length > this.config.deadLetter.maxLength) this.deadLetters.shift();
    return stored;
  }

  listDeadLetters(): readonly DeadLetter[] {
    return this.deadLetters;
  }

  streamLength(event: string): number {
    return this.logs.get(event)?.length ?? 0;
  }

  private log(event: string): EventLog {
    let log = this.logs.get(event);
    if (!log) {
      log = new EventLog();
      this.logs.set(event, log);
    }
    return log;
  }
}
