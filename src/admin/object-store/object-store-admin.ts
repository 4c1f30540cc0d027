import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type FindOptionsWhere, In, Like, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import {
  ObjectStoreEntry,
  type ObjectStoreStatus,
} from '../../platform/object-store/object-store-entry.entity.js';
import type { ObjectStoreFilter } from './object-store.dto.js';

/** Only entries nobody holds may be changed by hand: a leased or reprocessing one is in flight. */
const REPROCESSABLE: ObjectStoreStatus[] = ['pending', 'dead'];

/**
 * The Object Store as operators handle it: find entries, put one (or many) back in the
 * reprocessing queue due now, possibly with a corrected payload, or discard them. The
 * pipelines' reprocessor picks a queued entry up on its next run, or at once with
 * `POST /admin/reprocessing/run`. Entries held by a reprocessor are refused (409).
 */
@Injectable()
export class ObjectStoreAdmin {
  constructor(
    @InjectRepository(ObjectStoreEntry) private readonly entries: Repository<ObjectStoreEntry>,
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

  async discard(id: string, actor: string): Promise<ObjectStoreEntry> {
    const entry = await this.get(id);
    const result = await this.entries.update(
      { id, status: In(['pending', 'dead'] as ObjectStoreStatus[]) },
      this.discarded(actor),
    );
    if (!result.affected) throw this.inFlight(entry, 'discard');
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

  async bulkDiscard(filter: ObjectStoreFilter, actor: string): Promise<number> {
    const discardable: ObjectStoreStatus[] = ['pending', 'dead'];
    const where = {
      ...this.where(filter),
      status:
        filter.status && discardable.includes(filter.status) ? filter.status : In(discardable),
    };
    return (await this.entries.update(where, this.discarded(actor))).affected ?? 0;
  }

  private requeue(): QueryDeepPartialEntity<ObjectStoreEntry> {
    return {
      status: 'pending',
      retriable: true,
      attempts: 0,
      nextAttemptAt: new Date(),
      leaseOwner: null,
      leaseUntil: null,
    };
  }

  private discarded(actor: string): QueryDeepPartialEntity<ObjectStoreEntry> {
    return {
      status: 'dead',
      retriable: false,
      errorCode: 'discarded',
      lastError: `discarded by ${actor}`.slice(0, 4000),
      nextAttemptAt: null,
      leaseOwner: null,
      leaseUntil: null,
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
