import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';

/**
 * A job run every `everyMs` through `@nestjs/schedule`'s registry, never overlapping
 * itself: a run still going when the next tick comes makes that tick a no-op. `stop()`
 * removes the interval and waits for the run in flight, so that nothing touches the
 * database or the bus after shutdown has closed them.
 */
export class RecurringTask {
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly registry: SchedulerRegistry,
    readonly name: string,
    private readonly everyMs: number,
    private readonly job: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    const handle = setInterval(() => void this.runOnce(), this.everyMs);
    this.registry.addInterval(this.name, handle);
  }

  /** Runs the job now unless a run is in flight (then waits for that one). */
  runOnce(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.job()
      .catch((error: unknown) => this.logger.error(`${this.name} failed: ${(error as Error).message}`, (error as Error).stack))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('interval', this.name)) this.registry.deleteInterval(this.name);
    await this.running;
  }
}
