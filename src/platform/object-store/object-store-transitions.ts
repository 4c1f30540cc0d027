import { currentTraceCarrier } from '../tracing/tracing.js';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { MAX_MESSAGE_LENGTH } from '../error-store/describe-error.js';
import { truncate } from '../text/truncate.js';
import {
  and,
  type Condition,
  DISCARDED,
  due,
  heldBy,
  inStates,
} from './object-store-conditions.js';
import { ObjectStoreEntry } from './object-store-entry.entity.js';
import type { StoredFailure } from './object-store.js';

/**
 * The Object Store's state machine: every change of an entry's state is one of these, and
 * only `ObjectStore` and `ObjectStoreOperations` apply them.
 *
 * | transition | from                               | to                     | by            |
 * | ---------- | ---------------------------------- | ---------------------- | ------------- |
 * | stored     | (none), or any (its attempts kept) | pending                | its pipeline  |
 * | claim      | due, or held past its lease        | leased                 | a reprocessor |
 * | handBack   | leased by this holder              | reprocessing           | its holder    |
 * | retryLater | leased by this holder              | pending                | its holder    |
 * | release    | leased by this holder              | pending                | its holder    |
 * | settleDone | leased by this holder              | done                   | its holder    |
 * | settleDead | leased by this holder              | dead                   | its holder    |
 * | complete   | pending, leased, reprocessing      | done                   | its pipeline  |
 * | requeue    | pending, dead                      | pending, due now       | an operator   |
 * | discard    | pending, dead                      | dead, code `discarded` | an operator   |
 * | purge      | pending or done, past its expiry   | deleted                | the purge     |
 *
 * The guards are the conditions of object-store-conditions.ts: `due`, `heldBy` ("leased by
 * this holder"), `inStates`, `purgeable`. `stored` is an insert (`ObjectStore.put`, `add`) and
 * `purge` a delete (`ObjectStore.purgeExpired`); the others are each a {@link Transition},
 * applied by {@link apply}.
 */
export interface Transition {
  /** The entries allowed to take it: its guard. */
  from: Condition;
  /** What it writes. */
  set: QueryDeepPartialEntity<ObjectStoreEntry>;
}

/** An error's columns, its message cut to what `last_error` is meant to keep. */
function errorColumns(error: { code: string; message: string }) {
  return { errorCode: error.code, lastError: truncate(error.message, MAX_MESSAGE_LENGTH) };
}

/** Nobody holds it and it is not done: the operator's to change. */
const AT_REST = inStates(['pending', 'dead']);

/** Not settled yet: waiting, claimed or handed back. */
const UNSETTLED = inStates(['pending', 'leased', 'reprocessing']);

/**
 * A failure as it enters the store, or enters it again (`put` on a known key writes these
 * columns but the id and the attempts): pending, not held, due at `nextAttemptAt`.
 */
export function stored(store: string, failure: StoredFailure) {
  const trace = failure.trace ?? currentTraceCarrier();
  return {
    id: randomUUID(),
    store,
    key: failure.key,
    payload: failure.payload as object,
    status: 'pending' as const,
    attempts: 0,
    retriable: failure.error.retriable,
    ...errorColumns(failure.error),
    nextAttemptAt: failure.nextAttemptAt,
    leaseOwner: null,
    leaseUntil: null,
    expiresAt: failure.expiresAt ?? null,
    traceparent: trace.traceparent ?? null,
    tracestate: trace.tracestate ?? null,
    // Set here: an upsert that updates a known key leaves the column's automatic value alone.
    updatedAt: new Date(),
  };
}

/** Claimed by `owner` until `leaseUntil`: several replicas never hold the same entry. */
export function claim(owner: string, leaseUntil: Date, now: Date): Transition {
  return { from: due(now), set: { status: 'leased', leaseOwner: owner, leaseUntil } };
}

/** Handed back to its pipeline: one attempt more, claimable again after `leaseUntil`. */
export function handBack(owner: string, leaseUntil: Date): Transition {
  return {
    from: heldBy(owner),
    set: { status: 'reprocessing', attempts: () => 'attempts + 1', leaseUntil },
  };
}

/** Failed again: one attempt more, due at `nextAttemptAt`, with the new error (and payload). */
export function retryLater(
  owner: string,
  update: {
    error: { code: string; message: string; retriable: boolean };
    nextAttemptAt: Date;
    payload?: unknown;
  },
): Transition {
  return {
    from: heldBy(owner),
    set: {
      status: 'pending',
      attempts: () => 'attempts + 1',
      retriable: update.error.retriable,
      ...errorColumns(update.error),
      nextAttemptAt: update.nextAttemptAt,
      leaseOwner: null,
      leaseUntil: null,
      ...(update.payload !== undefined ? { payload: update.payload as object } : {}),
    },
  };
}

/** Back in the queue untouched, due at once: its holder could not finish. */
export function release(owner: string): Transition {
  return { from: heldBy(owner), set: { status: 'pending', leaseOwner: null, leaseUntil: null } };
}

/** Settled for good by its holder, kept until `expiresAt`; the final payload if given. */
export function settleDone(owner: string, expiresAt: Date | null, payload?: unknown): Transition {
  return {
    from: heldBy(owner),
    set: {
      status: 'done',
      leaseUntil: null,
      nextAttemptAt: null,
      expiresAt,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    },
  };
}

/** Given up on by its holder: no expiry, for an operator to act on; the reason if given. */
export function settleDead(owner: string, reason?: { code: string; message: string }): Transition {
  return {
    from: heldBy(owner),
    set: {
      status: 'dead',
      leaseUntil: null,
      nextAttemptAt: null,
      expiresAt: null,
      ...(reason ? errorColumns(reason) : {}),
    },
  };
}

/** Its pipeline processed it at last, whoever held it: done, kept until `expiresAt`. */
export function complete(expiresAt: Date | null): Transition {
  return {
    from: UNSETTLED,
    set: { status: 'done', leaseOwner: null, leaseUntil: null, nextAttemptAt: null, expiresAt },
  };
}

/**
 * Queued by an operator, due `now`, retriable with a fresh attempt budget, the payload
 * replaced if given. No expiry: its pipeline's "stop trying after this" no longer holds, so
 * the purge never deletes it under the operator's feet; once done it gets the done retention.
 */
export function requeue(now: Date, payload?: object): Transition {
  return {
    from: AT_REST,
    set: {
      status: 'pending',
      retriable: true,
      attempts: 0,
      nextAttemptAt: now,
      leaseOwner: null,
      leaseUntil: null,
      expiresAt: null,
      ...(payload ? { payload } : {}),
    },
  };
}

/** Given up on by `actor`: dead with code `discarded`, and so kept (no expiry) like any dead entry. */
export function discard(actor: string): Transition {
  return {
    from: AT_REST,
    set: {
      status: 'dead',
      retriable: false,
      ...errorColumns({ code: DISCARDED, message: `discarded by ${actor}` }),
      nextAttemptAt: null,
      leaseOwner: null,
      leaseUntil: null,
      expiresAt: null,
    },
  };
}

/** Applies `transition` to the `selected` entries its guard allows, in one UPDATE: how many changed. */
export async function apply(
  entries: Repository<ObjectStoreEntry>,
  transition: Transition,
  selected: Condition,
): Promise<number> {
  const where = and(selected, transition.from);
  const result = await entries
    .createQueryBuilder()
    .update(ObjectStoreEntry)
    .set(transition.set)
    .where(where.sql, where.params)
    .execute();
  return result.affected ?? 0;
}
