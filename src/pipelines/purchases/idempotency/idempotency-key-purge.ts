import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG } from '../../../config/config.module.js';
import type { AppConfig } from '../../../config/config.schema.js';
import { BatchTask } from '../../../platform/reprocessing/batch-task.js';
import { IdempotencyStore } from './idempotency-store.js';

/**
 * Every `purchaseFlow.idempotencyPurge.intervalMs`, deletes the `Idempotency-Key`s past their
 * retention, `batchSize` per DELETE, batch after batch until none is left (or the process
 * stops), so that a backlog is cleared in one run without one long lock on the table.
 */
@Injectable()
export class IdempotencyKeyPurge extends BatchTask {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    store: IdempotencyStore,
    registry: SchedulerRegistry,
  ) {
    super(
      registry,
      'purchases-idempotency-purge',
      config.purchaseFlow.idempotencyPurge,
      (limit) => store.purgeExpired(limit),
      new Logger('IdempotencyKeyPurge'),
      'idempotency key(s) past their retention deleted',
    );
  }
}
