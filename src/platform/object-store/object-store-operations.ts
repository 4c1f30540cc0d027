import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { retryOnDeadlock } from '../persistence/retry-on-deadlock.js';
import {
  and,
  discardedByOperator,
  type EntryFilter,
  idsWhere,
  matching,
  withId,
  withIds,
} from './object-store-conditions.js';
import { ObjectStoreDiscards } from './object-store-discards.js';
import { ObjectStoreEntry, type ObjectStoreStatus } from './object-store-entry.entity.js';
import { apply, discard, requeue, type Transition } from './object-store-transitions.js';

/** What came of an operator's change to one entry: `Changed`, or why it was refused. */
export type EntryChange<Changed = { entry: ObjectStoreEntry }> =
  | Changed
  | { refused: 'not-found' }
  /** Its state does not allow it: held by a reprocessor, or done. */
  | { refused: 'in-flight'; status: ObjectStoreStatus };

/** A discard: its pipeline may not have heard of it (`told` false) though the entry is dead. */
export type DiscardChange = EntryChange<{ entry: ObjectStoreEntry; told: boolean }>;

/** Entries a bulk discard selects, updates and tells of at a time. */
const DISCARD_CHUNK = 500;

/**
 * The Object Store as operators handle it: find entries, queue one (or many) again for
 * reprocessing, due now, possibly with a corrected payload, or discard them. Only entries
 * nobody holds and not done may be changed by hand: the guards are those of
 * `object-store-transitions.ts`, and a refusal says why.
 */
@Injectable()
export class ObjectStoreOperations {
  private readonly logger = new Logger('ObjectStoreOperations');

  constructor(
    @InjectRepository(ObjectStoreEntry) private readonly entries: Repository<ObjectStoreEntry>,
    private readonly discards: ObjectStoreDiscards,
  ) {}

  /** A page of the entries `filter` means, most recently changed first. */
  async find(
    filter: EntryFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: ObjectStoreEntry[]; total: number }> {
    const where = matching(filter);
    const [items, total] = await this.entries
      .createQueryBuilder()
      .where(where.sql, where.params)
      .orderBy('updated_at', 'DESC')
      .addOrderBy('id', 'ASC')
      .offset(page.offset)
      .limit(page.limit)
      .getManyAndCount();
    return { items, total };
  }

  byId(id: string): Promise<ObjectStoreEntry | null> {
    return this.entries.findOneBy({ id });
  }

  /** Queued again, due now, retriable with a fresh attempt budget; `payload` replaces the stored one. */
  async requeue(id: string, payload?: Record<string, unknown>): Promise<EntryChange> {
    return this.changeOne(id, requeue(new Date(), payload));
  }

  /**
   * Dead with code `discarded`, and the store's listeners told (a pipeline keeping its own
   * state about the entry). A dead entry may be discarded again, which tells them again.
   */
  async discard(id: string, actor: string): Promise<DiscardChange> {
    const change = await this.changeOne(id, discard(actor));
    if (!('entry' in change)) return change;
    return { ...change, told: await this.tell(change.entry.store, [change.entry.key]) };
  }

  /** Queues again every pending or dead entry `filter` means (see {@link requeue}): how many. */
  async requeueAll(filter: EntryFilter): Promise<number> {
    return retryOnDeadlock(() => apply(this.entries, requeue(new Date()), matching(filter)));
  }

  /**
   * Discards every pending or dead entry `filter` means, chunk by chunk (in id order, so that
   * entries dead already and matched again are not taken twice), and tells the listeners of
   * each store the keys of those it did discard: one a reprocessor claimed meanwhile is left
   * alone. A listener's failure does not stop it: `told` is then false.
   */
  async discardAll(
    filter: EntryFilter,
    actor: string,
  ): Promise<{ affected: number; told: boolean }> {
    const transition = discard(actor);
    const candidates = and(matching(filter), transition.from);
    let affected = 0;
    let told = true;
    let after = '';
    for (;;) {
      const next = after ? and(candidates, { sql: 'id > :after', params: { after } }) : candidates;
      const ids = await idsWhere(this.entries, next, { orderBy: 'id', limit: DISCARD_CHUNK });
      if (ids.length === 0) break;
      after = ids[ids.length - 1]!;
      affected += await apply(this.entries, transition, and(matching(filter), withIds(ids)));
      const discarded = and(withIds(ids), discardedByOperator);
      const keys = await this.entries
        .createQueryBuilder()
        .select('store', 'store')
        .addSelect('entry_key', 'key')
        .where(discarded.sql, discarded.params)
        .getRawMany<{ store: string; key: string }>();
      for (const [store, ofStore] of byStore(keys))
        told = (await this.tell(store, ofStore)) && told;
      if (ids.length < DISCARD_CHUNK) break;
    }
    return { affected, told };
  }

  /** Applies `transition` to one entry; when its guard refuses, says why. */
  private async changeOne(id: string, transition: Transition): Promise<EntryChange> {
    const changed = await apply(this.entries, transition, withId(id));
    const entry = await this.byId(id);
    if (!entry) return { refused: 'not-found' };
    return changed ? { entry } : { refused: 'in-flight', status: entry.status };
  }

  /**
   * Tells the store's listeners; false if one failed. Its cause (a statement, a stack) goes to
   * the log, with the call's correlation id, and never to the operator.
   */
  private async tell(store: string, keys: string[]): Promise<boolean> {
    try {
      await this.discards.notify(store, keys);
      return true;
    } catch (error) {
      this.logger.error(
        `the pipeline of store ${store} could not be told of ${keys.length} discarded entries`,
        error instanceof Error ? error.stack : String(error),
      );
      return false;
    }
  }
}

function byStore(entries: Pick<ObjectStoreEntry, 'store' | 'key'>[]): Map<string, string[]> {
  const stores = new Map<string, string[]>();
  for (const { store, key } of entries) stores.set(store, [...(stores.get(store) ?? []), key]);
  return stores;
}
