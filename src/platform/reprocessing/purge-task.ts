import type { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { RecurringTask } from './recurring-task.js';

/** Deletes up to `limit` expired rows, oldest first, in one statement; returns how many. */
export type PurgeBatch = (limit: number) => Promise<number>;

/**
 * Runs `purgeBatch` batch after batch until one comes back short (nothing left) or
 * `stopping()` says the process is shutting down; returns how many rows went in all.
 */
export async function purgeInBatches(
  purgeBatch: PurgeBatch,
  batchSize: number,
  stopping: () => boolean,
): Promise<number> {
  let purged = 0;
  let batch: number;
  do {
    batch = await purgeBatch(batchSize);
    purged += batch;
  } while (batch === batchSize && !stopping());
  return purged;
}

/**
 * A recurring purge: every `intervalMs`, deletes expired rows `batchSize` per DELETE until
 * none is left (or the process stops), so that a backlog is cleared in one run without one
 * long lock on the table. Replicas may purge at the same time: a row is deleted once, the
 * others find it gone. A provider extends it, naming its task and its batch: it starts with
 * the application and stops, waiting for the run in flight, before the database closes.
 */
export abstract class PurgeTask implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task: RecurringTask;
  private stopping = false;

  protected constructor(
    registry: SchedulerRegistry,
    name: string,
    private readonly settings: { intervalMs: number; batchSize: number },
    private readonly purgeBatch: PurgeBatch,
    private readonly logger: Logger,
    /** What the rows are, for the log line: "idempotency key(s) past their retention". */
    private readonly what: string,
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
    const purged = await purgeInBatches(
      this.purgeBatch,
      this.settings.batchSize,
      () => this.stopping,
    );
    if (purged > 0) this.logger.log(`${purged} ${this.what} deleted`);
  }
}
