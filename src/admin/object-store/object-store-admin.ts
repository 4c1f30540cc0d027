import {
  ConflictException,
  Injectable,
  InternalServerErrorException,
  NotFoundException,
} from '@nestjs/common';
import {
  type ObjectStoreEntry,
  type EntryChange,
  ObjectStoreOperations,
} from '../../platform/object-store/index.js';
import type { ObjectStoreFilter } from './object-store.dto.js';

/**
 * The Object Store as the admin API serves it: each call is one of the Object Store's
 * operations ({@link ObjectStoreOperations}, which owns the entries and their states), and
 * each refusal an HTTP answer: no entry 404, one held by a reprocessor or done 409, a
 * pipeline not told of a discard 500. The pipelines' reprocessor picks a queued entry up on
 * its next run, or at once with `POST /admin/reprocessing/run`.
 */
@Injectable()
export class ObjectStoreAdmin {
  constructor(private readonly operations: ObjectStoreOperations) {}

  list(
    filter: ObjectStoreFilter,
    page: { offset: number; limit: number },
  ): Promise<{ items: ObjectStoreEntry[]; total: number }> {
    return this.operations.find(filter, page);
  }

  async get(id: string): Promise<ObjectStoreEntry> {
    const entry = await this.operations.byId(id);
    if (!entry) throw notFound(id);
    return entry;
  }

  /** Due now, with a fresh attempt budget's chance: retriable again, the payload replaced if given. */
  async reprocess(id: string, payload?: Record<string, unknown>): Promise<ObjectStoreEntry> {
    return changed(id, 'reprocess', await this.operations.requeue(id, payload));
  }

  /**
   * Dead, and the store's listeners are told. Should a listener fail, the call fails (500,
   * `discard-incomplete`) with the entry dead already; a dead entry may be discarded again,
   * which tells the listeners again (they take a key twice as once): the operator repeats it.
   */
  async discard(id: string, actor: string): Promise<ObjectStoreEntry> {
    const change = await this.operations.discard(id, actor);
    const entry = changed(id, 'discard', change);
    if ('told' in change && !change.told)
      throw incomplete(
        `entry '${id}' is discarded, but its pipeline could not be told: discard it again to finish`,
      );
    return entry;
  }

  bulkReprocess(filter: ObjectStoreFilter): Promise<number> {
    return this.operations.requeueAll(filter);
  }

  /**
   * Every matching entry is discarded even when a listener fails; the call then fails (500,
   * `discard-incomplete`). The same filter may not find them again (it may ask for `pending`,
   * or their former error code), so the answer names one that does.
   */
  async bulkDiscard(filter: ObjectStoreFilter, actor: string): Promise<number> {
    const { affected, told } = await this.operations.discardAll(filter, actor);
    if (!told)
      throw incomplete(
        `${affected} entries are discarded, but a pipeline could not be told of some: discard again ` +
          `with the filter's store and keyPrefix, status 'dead' and errorCode 'discarded' to finish`,
      );
    return affected;
  }
}

/** The changed entry, or the HTTP answer to a refusal. */
function changed(id: string, action: string, change: EntryChange): ObjectStoreEntry {
  if ('entry' in change) return change.entry;
  if (change.refused === 'not-found') throw notFound(id);
  throw new ConflictException({
    message: `cannot ${action} entry '${id}' while it is ${change.status === 'done' ? 'done' : 'held by a reprocessor'}`,
    code: 'entry-in-flight',
  });
}

const notFound = (id: string) =>
  new NotFoundException({ message: `no Object Store entry '${id}'`, code: 'entry-not-found' });

/** The entries are dead, their pipeline not told: the operator's to repeat. */
const incomplete = (message: string) =>
  new InternalServerErrorException({ message, code: 'discard-incomplete' });
