import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.schema.js';
import { BatchTask } from '../reprocessing/batch-task.js';
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
    @Inject(APP_CONFIG) config: AppConfig,
    store: ObjectStore,
    registry: SchedulerRegistry,
  ) {
    super(
      registry,
      'object-store-purge',
      config.objectStore.purge,
      (limit) => store.purgeExpired(limit),
      new Logger('ObjectStorePurge'),
      'Object Store entries past their expiry deleted',
    );
  }
}
