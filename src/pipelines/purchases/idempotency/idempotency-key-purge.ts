import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG } from '../../../config/config.module.js';
import type { AppConfig } from '../../../config/config.schema.js';
import { RecurringTask } from '../../../platform/reprocessing/recurring-task.js';
import { IdempotencyStore } from './idempotency-store.js';

/**
 * Every `purchaseFlow.idempotencyPurge.intervalMs`, deletes the `Idempotency-Key`s past their
 * retention, `batchSize` per DELETE, batch after batch until none is left (or the process
 * stops), so that a backlog is cleared in one run without one long lock on the table.
 * Replicas may purge at the same time: a key is deleted once, the others find it gone.
 */
@Injectable()
export class IdempotencyKeyPurge implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IdempotencyKeyPurge');
  private readonly task: RecurringTask;
  private readonly batchSize: number;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: IdempotencyStore,
    registry: SchedulerRegistry,
  ) {
    const { intervalMs, batchSize } = config.purchaseFlow.idempotencyPurge;
    this.batchSize = batchSize;
    this.task = new RecurringTask(
      registry,
      'purchases-idempotency-purge',
      intervalMs,
      () => this.run(),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.task.stop();
  }

  private async run(): Promise<void> {
    let purged = 0;
    let batch: number;
    do {
      batch = await this.store.purgeExpired(this.batchSize);
      purged += batch;
    } while (batch === this.batchSize && !this.stopping);
    if (purged > 0) this.logger.log(`${purged} idempotency key(s) past their retention deleted`);
  }
}
