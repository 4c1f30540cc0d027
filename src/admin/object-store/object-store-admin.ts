import {
  ConflictException,
  Injectable,
  InternalServerErrorException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type FindOptionsWhere, In, Like, MoreThan, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import {
  ObjectStoreEntry,
  type ObjectStoreStatus,
} from '../../platform/object-store/object-store-entry.entity.js';
import { ObjectStoreDiscards } from '../../platform/object-store/object-store-discards.js';
import type { ObjectStoreFilter } from './object-store.dto.js';

/** Only entries nobody holds may be changed by hand: a leased or reprocessing one is in flight. */
const REPROCESSABLE: ObjectStoreStatus[] = ['pending', 'dead'];

/** Entries a bulk discard selects, updates and notifies at a time. */
const DISCARD_CHUNK = 500;

/**
 * The Object Store as operators handle it: find entries, put one (or many) back in the
 * reprocessing queue due now, possibly with a corrected payload, or discard them. The
 * pipelines' reprocessor picks a queued entry up on its next run, or at once with
 * `POST /admin/reprocessing/run`. Entries held by a reprocessor are refused (409).
 */
@Injectable()
export class ObjectStoreAdmin {
  private readonly logger = new Logger('ObjectStoreAdmin');

  constructor(
    @InjectRepository(ObjectStoreEntry) private readonly entries: Repository<ObjectStoreEntry>,
    private readonly discards: ObjectStoreDiscards,
  ) {}

  async list(
    filter: ObjectStoreFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: ObjectStoreEntry[]; total: number }> {
    const [items, total] = await this.entries.findAndCount({
      where: this.where(filter),
      order: { updatedAt: 'DESC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items, total };
  }

  async get(id: string): Promise<ObjectStoreEntry> {
    const entry = await this.entries.findOneBy({ id });
    if (!entry)
      throw new NotFoundException({
        message: `no Object Store entry '${id}'`,
        code: 'entry-not-found',
      });
    return entry;
  }

  /** Due now, with a fresh attempt budget's chance: retriable again, the payload replaced if given. */
  async reprocess(id: string, payload?: Record<string, unknown>): Promise<ObjectStoreEntry> {
    const entry = await this.get(id);
    const patch: QueryDeepPartialEntity<ObjectStoreEntry> = {
      ...this.requeue(),
      ...(payload ? { payload: payload as object } : {}),
    };
    const result = await this.entries.update({ id, status: In(REPROCESSABLE) }, patch);
    if (!result.affected) throw this.inFlight(entry, 'reprocess');
    return this.get(id);
  }

  /**
   * Dead, and the store's listeners are told (a pipeline keeping its own state about the
   * entry). Should a listener fail, the call fails (500, `discard-incomplete`) with the entry
   * dead already; a dead entry may be discarded again, which tells the listeners again (they
   * take a key twice as once): the operator repeats it.
   */
  async discard(id: string, actor: string): Promise<ObjectStoreEntry> {
    const entry = await this.get(id);
    const result = await this.entries.update(
      { id, status: In(['pending', 'dead'] as ObjectStoreStatus[]) },
      this.discarded(actor),
    );
    if (!result.affected) throw this.inFlight(entry, 'discard');
    if (!(await this.tell(entry.store, [entry.key])))
      throw incomplete(
        `entry '${id}' is discarded, but its pipeline could not be told: discard it again to finish`,
      );
    return this.get(id);
  }

  async bulkReprocess(filter: ObjectStoreFilter): Promise<number> {
    const where = {
      ...this.where(filter),
      status:
        filter.status && REPROCESSABLE.includes(filter.status) ? filter.status : In(REPROCESSABLE),
    };
    return (await this.entries.update(where, this.requeue())).affected ?? 0;
  }

  /**
   * Discards the matching entries chunk by chunk (in id order, so that entries already dead
   * and matched again are not taken twice), and tells the listeners of each entry's store the
   * keys of those it did discard: one a reprocessor claimed meanwhile is left alone. A
   * listener's failure does not stop it: every matching entry is discarded, then the call
   * fails (500, `discard-incomplete`). The same filter may not find them again (it may ask
   * for `pending`, or their former error code), so the answer names one that does.
   */
  async bulkDiscard(filter: ObjectStoreFilter, actor: string): Promise<number> {
    const discardable: ObjectStoreStatus[] = ['pending', 'dead'];
    const where = {
      ...this.where(filter),
      status:
        filter.status && discardable.includes(filter.status) ? filter.status : In(discardable),
    };
    let affected = 0;
    let told = true;
    let after = '';
    for (;;) {
      const chunk = await this.entries.find({
        select: { id: true },
        where: { ...where, ...(after ? { id: MoreThan(after) } : {}) },
        order: { id: 'ASC' },
        take: DISCARD_CHUNK,
      });
      if (chunk.length === 0) break;
      after = chunk[chunk.length - 1].id;
      const ids = chunk.map((e) => e.id);
      const result = await this.entries.update({ ...where, id: In(ids) }, this.discarded(actor));
      affected += result.affected ?? 0;
      const discarded = await this.entries.find({
        select: { id: true, store: true, key: true },
        where: { id: In(ids), status: 'dead', errorCode: 'discarded' },
      });
      for (const [store, keys] of byStore(discarded)) told = (await this.tell(store, keys)) && told;
      if (chunk.length < DISCARD_CHUNK) break;
    }
    if (!told)
      throw incomplete(
        `${affected} entries are discarded, but a pipeline could not be told of some: discard again ` +
          `with the filter's store and keyPrefix, status 'dead' and errorCode 'discarded' to finish`,
      );
    return affected;
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

  /**
   * The operator's to settle now: no expiry (its pipeline's "stop trying after this" no longer
   * holds), so the purge never deletes it under the operator's feet; once done it gets the
   * done retention like any other.
   */
  private requeue(): QueryDeepPartialEntity<ObjectStoreEntry> {
    return {
      status: 'pending',
      retriable: true,
      attempts: 0,
      nextAttemptAt: new Date(),
      leaseOwner: null,
      leaseUntil: null,
      expiresAt: null,
    };
  }

  /** Dead, and so kept until an operator deletes it: no expiry, like any dead entry. */
  private discarded(actor: string): QueryDeepPartialEntity<ObjectStoreEntry> {
    return {
      status: 'dead',
      retriable: false,
      errorCode: 'discarded',
      lastError: `discarded by ${actor}`.slice(0, 4000),
      nextAttemptAt: null,
      leaseOwner: null,
      leaseUntil: null,
      expiresAt: null,
    };
  }

  private where(filter: ObjectStoreFilter): FindOptionsWhere<ObjectStoreEntry> {
    const where: FindOptionsWhere<ObjectStoreEntry> = {};
    if (filter.store) where.store = filter.store;
    if (filter.status) where.status = filter.status;
    if (filter.errorCode) where.errorCode = filter.errorCode;
    // The DTO allows no `%` or `_` in the prefix, so it never carries a LIKE wildcard.
    if (filter.keyPrefix) where.key = Like(`${filter.keyPrefix}%`);
    return where;
  }

  private inFlight(entry: ObjectStoreEntry, action: string): ConflictException {
    return new ConflictException({
      message: `cannot ${action} entry '${entry.id}' while it is ${entry.status === 'done' ? 'done' : 'held by a reprocessor'}`,
      code: 'entry-in-flight',
    });
  }
}

/** The entries are dead, their pipeline not told: the operator's to repeat. */
const incomplete = (message: string) =>
  new InternalServerErrorException({ message, code: 'discard-incomplete' });

function byStore(entries: Pick<ObjectStoreEntry, 'store' | 'key'>[]): Map<string, string[]> {
  const stores = new Map<string, string[]>();
  for (const { store, key } of entries) stores.set(store, [...(stores.get(store) ?? []), key]);
  return stores;
}
