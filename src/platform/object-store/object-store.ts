import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { retryOnDeadlock } from '../persistence/retry-on-deadlock.js';
import { ObjectStoreEntry, type ObjectStoreStatus } from './object-store-entry.entity.js';

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

const MAX_MESSAGE = 4000;

/**
 * What the purge may delete: past its expiry, and neither held by a reprocessor (`leased`,
 * `reprocessing`: its outcome is on its way) nor dead (an operator's to act on).
 */
const PURGEABLE = "expires_at < :now AND status IN ('pending', 'done')";

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
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectRepository(ObjectStoreEntry) private readonly entries: Repository<ObjectStoreEntry>,
  ) {
    this.doneRetentionMs = config.objectStore.doneRetentionMs;
  }

  /**
   * Stores failures (one multi-row upsert): a new key is added, a known one updated, attempts
   * kept. Two batches upserting side by side lock neighbouring keys of the unique index: rows
   * go in key order, so that they take those locks in one order, and a deadlock victim runs again.
   */
  async put(store: string, failures: StoredFailure[]): Promise<void> {
    if (failures.length === 0) return;
    const now = new Date();
    const inKeyOrder = [...failures].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rows = inKeyOrder.map(
      (f) =>
        <QueryDeepPartialEntity<ObjectStoreEntry>>{
          id: randomUUID(),
          store,
          key: f.key,
          payload: f.payload as object,
          status: 'pending',
          attempts: 0,
          retriable: f.error.retriable,
          errorCode: f.error.code,
          lastError: f.error.message.slice(0, MAX_MESSAGE),
          nextAttemptAt: f.nextAttemptAt,
          leaseOwner: null,
          leaseUntil: null,
          expiresAt: f.expiresAt ?? null,
          updatedAt: now,
        },
    );
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
    const id = randomUUID();
    await this.entries
      .createQueryBuilder()
      .insert()
      .into(ObjectStoreEntry)
      .values(<QueryDeepPartialEntity<ObjectStoreEntry>>{
        id,
        store,
        key: entry.key,
        payload: entry.payload as object,
        status: 'pending',
        attempts: 0,
        retriable: entry.error.retriable,
        errorCode: entry.error.code,
        lastError: entry.error.message.slice(0, MAX_MESSAGE),
        nextAttemptAt: entry.nextAttemptAt,
        expiresAt: entry.expiresAt ?? null,
      })
      .orIgnore()
      .execute();
    return await this.entries.existsBy({ id });
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
    const due = `((status = 'pending' AND next_attempt_at <= :now AND (expires_at IS NULL OR expires_at > :now)) OR (status IN ('leased', 'reprocessing') AND lease_until < :now))`;
    const candidates = await this.entries
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where('e.store = :store', { store })
      .andWhere(
        `((e.status = 'pending' AND e.nextAttemptAt <= :now AND (e.expiresAt IS NULL OR e.expiresAt > :now)) OR (e.status IN ('leased', 'reprocessing') AND e.leaseUntil < :now))`,
        { now },
      )
      .orderBy('e.nextAttemptAt', 'ASC')
      .limit(options.limit)
      .getRawMany<{ id: string }>();
    if (candidates.length === 0) return { owner, entries: [] };
    const ids = candidates.map((c) => c.id);
    await this.entries
      .createQueryBuilder()
      .update(ObjectStoreEntry)
      .set({
        status: 'leased',
        leaseOwner: owner,
        leaseUntil: new Date(now.getTime() + options.leaseMs),
      })
      .where('id IN (:...ids)', { ids })
      .andWhere(due, { now })
      .execute();
    const entries = await this.entries.findBy({ id: In(ids), leaseOwner: owner, status: 'leased' });
    return { owner, entries: entries as Claim<T>['entries'] };
  }

  /**
   * The claimed entry was handed back to its pipeline: one more attempt, and if no outcome
   * comes within `awaitMs` it is claimable again. False when the lease was lost meanwhile.
   */
  async handedBack(entry: ObjectStoreEntry, owner: string, awaitMs: number): Promise<boolean> {
    const result = await this.entries
      .createQueryBuilder()
      .update(ObjectStoreEntry)
      .set({
        status: 'reprocessing',
        attempts: () => 'attempts + 1',
        leaseUntil: new Date(Date.now() + awaitMs),
      })
      .where('id = :id AND lease_owner = :owner AND status = :leased', {
        id: entry.id,
        owner,
        leased: 'leased',
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Gives up on a claimed entry, for good: it loses any expiry, for an operator to act on.
   * False when the lease was lost meanwhile.
   */
  markDead(entry: ObjectStoreEntry, owner: string, reason?: StoredError): Promise<boolean> {
    const patch: QueryDeepPartialEntity<ObjectStoreEntry> = {
      status: 'dead',
      leaseUntil: null,
      nextAttemptAt: null,
      expiresAt: null,
    };
    if (reason) {
      patch.errorCode = reason.code;
      patch.lastError = reason.message.slice(0, MAX_MESSAGE);
    }
    return this.settleClaimed(entry, owner, patch);
  }

  /**
   * A claimed entry failed again: one attempt more, due at `nextAttemptAt`, with the new error
   * (and payload, to remember partial progress). False when the lease was lost meanwhile.
   */
  async retryLater(
    entry: ObjectStoreEntry,
    owner: string,
    update: { error: StoredError; nextAttemptAt: Date; payload?: unknown },
  ): Promise<boolean> {
    const patch: QueryDeepPartialEntity<ObjectStoreEntry> = {
      status: 'pending',
      attempts: () => 'attempts + 1',
      retriable: update.error.retriable,
      errorCode: update.error.code,
      lastError: update.error.message.slice(0, MAX_MESSAGE),
      nextAttemptAt: update.nextAttemptAt,
      leaseOwner: null,
      leaseUntil: null,
    };
    if (update.payload !== undefined) patch.payload = update.payload as object;
    return this.settleClaimed(entry, owner, patch);
  }

  /** A claimed entry is settled for good, kept until its expiry. False when the lease was lost. */
  markDone(entry: ObjectStoreEntry, owner: string, outcome: DoneOutcome = {}): Promise<boolean> {
    const patch: QueryDeepPartialEntity<ObjectStoreEntry> = {
      status: 'done',
      leaseUntil: null,
      nextAttemptAt: null,
      expiresAt: this.doneExpiry(outcome.expiresAt),
    };
    if (outcome.payload !== undefined) patch.payload = outcome.payload as object;
    return this.settleClaimed(entry, owner, patch);
  }

  private async settleClaimed(
    entry: ObjectStoreEntry,
    owner: string,
    patch: QueryDeepPartialEntity<ObjectStoreEntry>,
  ): Promise<boolean> {
    const result = await this.entries
      .createQueryBuilder()
      .update(ObjectStoreEntry)
      .set(patch)
      .where('id = :id AND lease_owner = :owner AND status = :leased', {
        id: entry.id,
        owner,
        leased: 'leased',
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Returns a claimed entry to the queue untouched, due at once (its reprocessor could not finish). */
  async release(entry: ObjectStoreEntry, owner: string): Promise<void> {
    await this.entries
      .createQueryBuilder()
      .update(ObjectStoreEntry)
      .set({ status: 'pending', leaseOwner: null, leaseUntil: null })
      .where('id = :id AND lease_owner = :owner AND status = :leased', {
        id: entry.id,
        owner,
        leased: 'leased',
      })
      .execute();
  }

  /**
   * The pipeline processed these keys at last: done, kept until `expiresAt` (see
   * {@link DoneOutcome}); a key never stored is ignored. Retried like {@link put}.
   */
  async complete(store: string, keys: string[], expiresAt?: Date | null): Promise<void> {
    if (keys.length === 0) return;
    const patch: QueryDeepPartialEntity<ObjectStoreEntry> = {
      status: 'done',
      leaseOwner: null,
      leaseUntil: null,
      nextAttemptAt: null,
      expiresAt: this.doneExpiry(expiresAt),
    };
    await retryOnDeadlock(() =>
      this.entries.update(
        {
          store,
          key: In(keys),
          status: In<ObjectStoreStatus>(['pending', 'leased', 'reprocessing']),
        },
        patch,
      ),
    );
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
   * Deletes up to `limit` entries past their expiry ({@link PURGEABLE}), soonest expired
   * first; returns how many. One bounded DELETE, so that a backlog never holds its locks
   * long: the caller repeats. An entry claimed or revived since it was read stays.
   */
  async purgeExpired(limit: number, now = new Date()): Promise<number> {
    const expired = await this.entries
      .createQueryBuilder()
      .select('id', 'id')
      .where(PURGEABLE, { now })
      .orderBy('expires_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    if (expired.length === 0) return 0;
    const ids = expired.map((e) => e.id);
    const deleted = await retryOnDeadlock(() =>
      this.entries
        .createQueryBuilder()
        .delete()
        .from(ObjectStoreEntry)
        .where('id IN (:...ids)', { ids })
        .andWhere(PURGEABLE, { now })
        .execute(),
    );
    return deleted.affected ?? 0;
  }
}
