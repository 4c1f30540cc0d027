import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectConfig } from '../../../../../platform/config/index.js';
import { type PurchaseFlowConfig, purchaseFlowConfig } from '../../../purchase.config.js';
import { BatchTask } from '../../../../../platform/scheduling/index.js';
import { PurchaseOutbox } from './purchase-outbox.js';

/**
 * Every `purchaseFlow.outbox.intervalMs`, publishes `purchase.completed` again for the
 * purchases with a delivery not claimed within the grace, or one of whose deliveries
 * was claimed under a lease that ran out before it was sent, `batchSize` per query,
 * batch after batch until none is due. Runs where `purchases` runs: it is that pipeline's
 * event.
 */
@Injectable()
export class PurchaseOutboxSweep extends BatchTask {
  constructor(
    @InjectConfig(purchaseFlowConfig) settings: PurchaseFlowConfig,
    outbox: PurchaseOutbox,
    registry: SchedulerRegistry,
  ) {
    super(
      registry,
      'purchases-outbox-sweep',
      settings.outbox,
      (limit) => outbox.republishDue(limit),
      new Logger('PurchaseOutboxSweep'),
      'purchase(s) nobody heard published again',
    );
  }
}
