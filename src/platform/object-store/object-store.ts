import type { TraceCarrier } from '../tracing/tracing.js';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { retryOnDeadlock } from '../persistence/retry-on-deadlock.js';
import {
  and,
  due,
  heldBy,
  idsWhere,
  inStore,
  purgeable,
  withId,
  withIds,
  withKeys,
} from './object-store-conditions.js';
import { OBJECT_STORE_OPTIONS } from './constants.js';
import type { ObjectStoreConfig } from './object-store.config.js';
import { ObjectStoreEntry, type ObjectStoreStatus } from './object-store-entry.entity.js';
import {
  apply,
  claim,
  complete,
  handBack,
  release,
  retryLater,
  settleDead,
  settleDone,
  stored,
  type Transition,
} from './object-store-transitions.js';

/** Why an input could not be processed. */
export interface StoredError {
  code: string;
  message: string;
  /** False when trying again cannot help (the data itself is wrong). */
  retriable: boolean;
}

/** What a pipeline stores about an input it failed on. */
export interface StoredFailure<T = unknown> {
  key: string;
  payload: T;
  error: StoredError;
  /** When a reprocessor may take it; now for an entry to review at once. */
  nextAttemptAt: Date;
  /** Stop trying after this: past it, the entry is no longer claimed, and the purge deletes it. */
  expiresAt?: Date | null;
  /**
   * The trace the input belongs to (its event's `traceparent`/`tracestate`); the active one
   * when absent. Kept from the first failure of a key: its reprocessing continues it.
   */
  trace?: TraceCarrier;
}

/** How an entry settles as done. */
export interface DoneOutcome {
  /** The final payload; absent, the stored one stays. */
  payload?: unknown;
  /** Absent, `objectStore.doneRetentionMs` from now; null, kept for good. */
  expiresAt?: Date | null;
}

/** Entries a reprocessor claimed; only the holder of `owner` may settle them. */
export interface Claim<T = unknown> {
  owner: string;
  entries: (ObjectStoreEntry & { payload: T })[];
}

/**
 * The Object Store: any pipeline keeps here the inputs it could not process, with the error,
 * the attempts so far and when to try again. Reprocessors claim due entries under a lease,
 * so that several replicas never take the same entry at once. An entry done is kept
 * `objectStore.doneRetentionMs`, unless its pipeline says otherwise; a dead one until an
 * operator acts; expired entries are deleted by {@link purgeExpired}.
 */
@Injectable()
export class ObjectStore {
  private readonly doneRetentionMs: number;

  constructor(
    @Inject(OBJECT_STORE_OPTIONS) options: ObjectStoreConfig,
    @InjectRepository(ObjectStoreEntry) private readonly entries: Repository<ObjectStoreEntry>,
  ) {
    this.doneRetentionMs = options.doneRetentionMs;
  }

  /**
   * Stores failures (one multi-row upsert): a new key is added, a known one updated, attempts
   * kept. Two batches upserting side by side lock neighbouring keys of the unique index: rows
   * go in key order, so that they take those locks in one order, and a deadlock victim runs again.
   */
  async put(store: string, failures: StoredFailure[]): Promise<void> {
    if (failures.length === 0) return;
    const inKeyOrder = [...failures].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rows = inKeyOrder.map((failure) => stored(store, failure));
    const upsert = this.entries
      .createQueryBuilder()
      .insert()
      .into(ObjectStoreEntry)
      .values(rows)
      .orUpdate(
        [
          'payload',
          'status',
          'retriable',
          'error_code',
          'last_error',
          'next_attempt_at',
          'lease_owner',
          'lease_until',
          'expires_at',
          'updated_at',
        ],
        ['store', 'entry_key'],
      )
      // No read-back of the rows for their defaults: nothing here uses them, and it costs a SELECT per batch.
      .updateEntity(false);
    await retryOnDeadlock(() => upsert.execute());
  }

  /** Stores a new entry unless the key is already there (then nothing changes). True when added. */
  async add(store: string, entry: StoredFailure): Promise<boolean> {
    const row = stored(store, entry);
    await this.entries
      .createQueryBuilder()
      .insert()
      .into(ObjectStoreEntry)
      .values(row)
      .orIgnore()
      .execute();
    return await this.entries.existsBy({ id: row.id });
  }

  get(store: string, key: string): Promise<ObjectStoreEntry | null> {
    return this.entries.findOneBy({ store, key });
  }

  /**
   * Claims up to `limit` entries that are due (pending past `nextAttemptAt`, and not past
   * their expiry) or whose lease ran out (their holder died, or what it handed back never
   * came back). The claim is one guarded UPDATE per entry set, so two replicas never hold
   * the same entry.
   */
  async claimDue<T = unknown>(
    store: string,
    options: { limit: number; leaseMs: number },
  ): Promise<Claim<T>> {
    const owner = randomUUID();
    const now = new Date();
    const candidates = and(inStore(store), due(now));
    const ids = await idsWhere(this.entries, candidates, {
      orderBy: 'next_attempt_at',
      limit: options.limit,
    });
    if (ids.length === 0) return { owner, entries: [] };
    const leaseUntil = new Date(now.getTime() + options.leaseMs);
    await apply(this.entries, claim(owner, leaseUntil, now), withIds(ids));
    const held = and(withIds(ids), heldBy(owner));
    const entries = await this.entries.createQueryBuilder().where(held.sql, held.params).getMany();
    return { owner, entries: entries as Claim<T>['entries'] };
  }

  /**
   * The claimed entry was handed back to its pipeline: one more attempt, and if no outcome
   * comes within `awaitMs` it is claimable again. False when the lease was lost meanwhile.
   */
  handedBack(entry: ObjectStoreEntry, owner: string, awaitMs: number): Promise<boolean> {
    return this.settle(entry, handBack(owner, new Date(Date.now() + awaitMs)));
  }

  /**
   * Gives up on a claimed entry, for good: it loses any expiry, for an operator to act on.
   * False when the lease was lost meanwhile.
   */
  markDead(entry: ObjectStoreEntry, owner: string, reason?: StoredError): Promise<boolean> {
    return this.settle(entry, settleDead(owner, reason));
  }

  /**
   * A claimed entry failed again: one attempt more, due at `nextAttemptAt`, with the new error
   * (and payload, to remember partial progress). False when the lease was lost meanwhile.
   */
  retryLater(
    entry: ObjectStoreEntry,
    owner: string,
    update: { error: StoredError; nextAttemptAt: Date; payload?: unknown },
  ): Promise<boolean> {
    return this.settle(entry, retryLater(owner, update));
  }

  /** A claimed entry is settled for good, kept until its expiry. False when the lease was lost. */
  markDone(entry: ObjectStoreEntry, owner: string, outcome: DoneOutcome = {}): Promise<boolean> {
    return this.settle(
      entry,
      settleDone(owner, this.doneExpiry(outcome.expiresAt), outcome.payload),
    );
  }

  /** Returns a claimed entry to the queue untouched, due at once (its reprocessor could not finish). */
  async release(entry: ObjectStoreEntry, owner: string): Promise<void> {
    await this.settle(entry, release(owner));
  }

  /** Applies a transition of a claimed entry; false when its guard (the lease) no longer holds. */
  private async settle(entry: ObjectStoreEntry, transition: Transition): Promise<boolean> {
    return (await apply(this.entries, transition, withId(entry.id))) > 0;
  }

  /**
   * The pipeline processed these keys at last: done, kept until `expiresAt` (see
   * {@link DoneOutcome}); a key never stored is ignored. Retried like {@link put}.
   */
  async complete(store: string, keys: string[], expiresAt?: Date | null): Promise<void> {
    if (keys.length === 0) return;
    const transition = complete(this.doneExpiry(expiresAt));
    await retryOnDeadlock(() => apply(this.entries, transition, withKeys(store, keys)));
  }

  /** The expiry of an entry settling as done: the one asked for, else the done retention. */
  private doneExpiry(asked: Date | null | undefined): Date | null {
    return asked === undefined ? new Date(Date.now() + this.doneRetentionMs) : asked;
  }

  async countByStatus(store: string): Promise<Partial<Record<ObjectStoreStatus, number>>> {
    const rows = await this.entries
      .createQueryBuilder('e')
      .select('e.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('e.store = :store', { store })
      .groupBy('e.status')
      .getRawMany<{ status: ObjectStoreStatus; count: string | number }>();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
  }

  /**
   * Deletes up to `limit` entries past their expiry (`purgeable`), soonest expired
   * first; returns how many. One bounded DELETE, so that a backlog never holds its locks
   * long: the caller repeats. An entry claimed or revived since it was read stays.
   */
  async purgeExpired(limit: number, now = new Date()): Promise<number> {
    const expired = purgeable(now);
    const ids = await idsWhere(this.entries, expired, { orderBy: 'expires_at', limit });
    if (ids.length === 0) return 0;
    const stillExpired = and(withIds(ids), expired);
    const deleted = await retryOnDeadlock(() =>
      this.entries
        .createQueryBuilder()
        .delete()
        .from(ObjectStoreEntry)
        .where(stillExpired.sql, stillExpired.params)
        .execute(),
    );
    return deleted.affected ?? 0;
  }
}
