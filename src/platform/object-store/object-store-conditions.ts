import type { ObjectLiteral, Repository } from 'typeorm';
import type { ObjectStoreEntry, ObjectStoreStatus } from './object-store-entry.entity.js';

/**
 * A WHERE condition on `object_store_entries`, in column names: the same text serves the
 * SELECT that picks entries and the UPDATE or DELETE that then changes them, so that the two
 * never disagree. Parameters are named (`:now`); {@link and} refuses one name for two values.
 */
export interface Condition {
  sql: string;
  params: ObjectLiteral;
}

/** Which entries an operator means: every field given must match. */
export interface EntryFilter {
  store?: string;
  status?: ObjectStoreStatus;
  errorCode?: string;
  /** Entries whose key starts with this. */
  keyPrefix?: string;
}

/** Every condition at once; none, every entry. */
export function and(...conditions: Condition[]): Condition {
  if (conditions.length === 0) return { sql: '1 = 1', params: {} };
  const params: ObjectLiteral = {};
  for (const { params: own } of conditions)
    for (const [name, value] of Object.entries(own)) {
      if (name in params && params[name] !== value)
        throw new Error(`two conditions name the parameter :${name}`);
      params[name] = value;
    }
  return { sql: conditions.map((c) => `(${c.sql})`).join(' AND '), params };
}

/** In one of `states`: constants of this code, never input, so written into the text. */
export function inStates(states: readonly ObjectStoreStatus[]): Condition {
  return { sql: `status IN (${states.map((s) => `'${s}'`).join(', ')})`, params: {} };
}

/**
 * Due for a reprocessor: pending past its next attempt and not past its expiry, or held by
 * one whose lease ran out (its holder died, or what it handed back never came back).
 */
export function due(now: Date): Condition {
  return {
    sql:
      "(status = 'pending' AND next_attempt_at <= :now AND (expires_at IS NULL OR expires_at > :now))" +
      " OR (status IN ('leased', 'reprocessing') AND lease_until < :now)",
    params: { now },
  };
}

/** Claimed by `owner` and not handed back: only its holder may settle it. */
export function heldBy(owner: string): Condition {
  return { sql: "status = 'leased' AND lease_owner = :owner", params: { owner } };
}

/** The error code of an entry an operator gave up on: dead, and kept until an operator acts. */
export const DISCARDED = 'discarded';

/** Discarded by an operator, now or before. */
export const discardedByOperator: Condition = {
  sql: `status = 'dead' AND error_code = '${DISCARDED}'`,
  params: {},
};

/**
 * What the purge may delete: past its expiry, and neither held by a reprocessor (`leased`,
 * `reprocessing`: its outcome is on its way) nor dead (an operator's to act on).
 */
export function purgeable(now: Date): Condition {
  return { sql: "expires_at < :now AND status IN ('pending', 'done')", params: { now } };
}

export function withId(id: string): Condition {
  return { sql: 'id = :id', params: { id } };
}

/** `ids` must not be empty. */
export function withIds(ids: string[]): Condition {
  return { sql: 'id IN (:...ids)', params: { ids } };
}

/** `keys` must not be empty. */
export function withKeys(store: string, keys: string[]): Condition {
  return { sql: 'store = :store AND entry_key IN (:...keys)', params: { store, keys } };
}

export function inStore(store: string): Condition {
  return { sql: 'store = :store', params: { store } };
}

/** The entries `filter` means. A `%` or `_` in its key prefix is a character, not a wildcard. */
export function matching(filter: EntryFilter): Condition {
  const parts: Condition[] = [];
  if (filter.store) parts.push(inStore(filter.store));
  if (filter.status) parts.push({ sql: 'status = :status', params: { status: filter.status } });
  if (filter.errorCode)
    parts.push({ sql: 'error_code = :errorCode', params: { errorCode: filter.errorCode } });
  if (filter.keyPrefix)
    // `!` rather than a backslash: MySQL and SQLite read a backslash in a literal differently.
    parts.push({
      sql: "entry_key LIKE :keyPrefix ESCAPE '!'",
      params: { keyPrefix: `${filter.keyPrefix.replace(/[!%_]/g, '!$&')}%` },
    });
  return and(...parts);
}

/** The ids of the entries meeting `condition`, in `orderBy` (a column) order, `limit` at most. */
export async function idsWhere(
  entries: Repository<ObjectStoreEntry>,
  condition: Condition,
  { orderBy, limit }: { orderBy: string; limit: number },
): Promise<string[]> {
  const rows = await entries
    .createQueryBuilder()
    .select('id', 'id')
    .where(condition.sql, condition.params)
    .orderBy(orderBy, 'ASC')
    .limit(limit)
    .getRawMany<{ id: string }>();
  return rows.map((r) => r.id);
}
