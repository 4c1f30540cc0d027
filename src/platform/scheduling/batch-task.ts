import type { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { RecurringTask } from './recurring-task.js';

/** Handles up to `limit` rows (deletes, republishes), oldest first; returns how many it handled. */
export type Batch = (limit: number) => Promise<number>;

/**
 * Runs `batch` after batch until one comes back empty (nothing left) or `stopping()` says
 * the process is shutting down; returns how many rows were handled in all. Not until one
 * comes back short: with replicas running at once, a batch counts only the rows this process
 * handled, and others may have taken the rest of a full one. The price is one empty batch
 * (an indexed query) at the end of a run.
 */
export async function runInBatches(
  batch: Batch,
  batchSize: number,
  stopping: () => boolean,
): Promise<number> {
  let handled = 0;
  let last: number;
  do {
    last = await batch(batchSize);
    handled += last;
  } while (last > 0 && !stopping());
  return handled;
}

/**
 * A recurring task over a backlog of rows (a purge, the purchase outbox): every `intervalMs`,
 * handles `batchSize` rows per statement until none is left (or the process stops), so that
 * a backlog is cleared in one run without one long lock on the table. Replicas may run at the
 * same time: each batch must handle a row once, the others finding it gone or taken. A
 * provider extends it, naming its task and its batch: it starts with the application and
 * stops, waiting for the run in flight, before the database closes.
 */
export abstract class BatchTask implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: RecurringTask;
  private stopping = false;

  protected constructor(
    registry: SchedulerRegistry,
    name: string,
    private readonly settings: { intervalMs: number; batchSize: number },
    private readonly batch: Batch,
    private readonly logger: Logger,
    /** What was done to the rows, for the log line: "idempotency key(s) past their retention deleted". */
    private readonly done: string,
  ) {
    this.task = new RecurringTask(registry, name, settings.intervalMs, () => this.run(), logger);
  }

  onApplicationBootstrap(): void {
    this.stopping = false;
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.task.stop();
  }

  private async run(): Promise<void> {
    const handled = await runInBatches(this.batch, this.settings.batchSize, () => this.stopping);
    if (handled > 0) this.logger.log(`${handled} ${this.done}`);
  }
}
