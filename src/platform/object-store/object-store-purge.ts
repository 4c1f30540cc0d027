import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BatchTask } from '../scheduling/batch-task.js';
import { OBJECT_STORE_OPTIONS } from './constants.js';
import type { ObjectStoreConfig } from './object-store.config.js';
import { ObjectStore } from './object-store.js';

/**
 * Every `objectStore.purge.intervalMs`, deletes the Object Store entries past their expiry
 * (done ones past their retention, pending ones past the expiry their pipeline gave them),
 * `batchSize` per DELETE until none is left. Part of the Object Store module, so it runs in
 * every process, whatever pipelines it runs: the admin API always has the store.
 */
@Injectable()
export class ObjectStorePurge extends BatchTask {
  constructor(
    @Inject(OBJECT_STORE_OPTIONS) options: ObjectStoreConfig,
    store: ObjectStore,
    registry: SchedulerRegistry,
  ) {
    super(
      registry,
      'object-store-purge',
      options.purge,
      (limit) => store.purgeExpired(limit),
      new Logger('ObjectStorePurge'),
      'Object Store entries past their expiry deleted',
    );
  }
}
