import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectConfig } from '../../../../../platform/config/index.js';
import { type PurchaseFlowConfig, purchaseFlowConfig } from '../../../purchase.config.js';
import { BatchTask } from '../../../../../platform/scheduling/index.js';
import { IdempotencyStore } from './idempotency-store.js';

/**
 * Every `purchaseFlow.idempotencyPurge.intervalMs`, deletes the `Idempotency-Key`s past their
 * retention, `batchSize` per DELETE, batch after batch until none is left (or the process
 * stops), so that a backlog is cleared in one run without one long lock on the table.
 */
@Injectable()
export class IdempotencyKeyPurge extends BatchTask {
  constructor(
    @InjectConfig(purchaseFlowConfig) settings: PurchaseFlowConfig,
    store: IdempotencyStore,
    registry: SchedulerRegistry,
  ) {
    super(
      registry,
      'purchases-idempotency-purge',
      settings.idempotencyPurge,
      (limit) => store.purgeExpired(limit),
      new Logger('IdempotencyKeyPurge'),
      'idempotency key(s) past their retention deleted',
    );
  }
}
