import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';

/** One run of a recurring task, as the admin API shows it. */
export interface TaskRun {
  trigger: 'schedule' | 'manual';
  startedAt: string;
  finishedAt?: string;
  outcome: 'running' | 'succeeded' | 'failed';
  error?: string;
}

/** How many runs each task remembers. */
const HISTORY = 20;

/** The started tasks of each application, keyed by its scheduler registry (one per app). */
const startedTasks = new WeakMap<SchedulerRegistry, Map<string, RecurringTask>>();

/** The recurring tasks started in the application that owns `registry`. */
export function recurringTasksOf(registry: SchedulerRegistry): RecurringTask[] {
  return [...(startedTasks.get(registry)?.values() ?? [])];
}

/**
 * A job run every `everyMs` through `@nestjs/schedule`'s registry, never overlapping
 * itself: a run still going when the next tick comes makes that tick a no-op. `stop()`
 * removes the interval and waits for the run in flight, so that nothing touches the
 * database or the bus after shutdown has closed them.
 */
export class RecurringTask {
  private running?: Promise<void>;
  private stopped = false;
  private readonly runs: TaskRun[] = [];

  constructor(
    private readonly registry: SchedulerRegistry,
    readonly name: string,
    readonly everyMs: number,
    private readonly job: () => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    const handle = setInterval(() => void this.runOnce(), this.everyMs);
    this.registry.addInterval(this.name, handle);
    const tasks = startedTasks.get(this.registry) ?? new Map<string, RecurringTask>();
    tasks.set(this.name, this);
    startedTasks.set(this.registry, tasks);
  }

  /** The latest runs, newest first. */
  lastRuns(): TaskRun[] {
    return [...this.runs].reverse();
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Runs the job now unless a run is in flight (then waits for that one). */
  runOnce(trigger: TaskRun['trigger'] = 'schedule'): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) return this.running;
    const run: TaskRun = { trigger, startedAt: new Date().toISOString(), outcome: 'running' };
    this.runs.push(run);
    if (this.runs.length > HISTORY) this.runs.shift();
    this.running = this.job()
      .then(() => {
        run.outcome = 'succeeded';
      })
      .catch((error: unknown) => {
        run.outcome = 'failed';
        run.error = (error as Error).message;
        this.logger.error(
          `${this.name} failed: ${(error as Error).message}`,
          (error as Error).stack,
        );
      })
      .finally(() => {
        run.finishedAt = new Date().toISOString();
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('interval', this.name)) this.registry.deleteInterval(this.name);
    startedTasks.get(this.registry)?.delete(this.name);
    await this.running;
  }
}
