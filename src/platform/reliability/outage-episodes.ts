import { randomUUID } from 'node:crypto';
import type { OutageReport } from '../event-bus/bus-observers.js';
import type { OutageDependency } from './outage.js';

/** One outage of a dependency as this process lives it: from the first trigger that waits to the last that resumes. */
export interface OutageEpisode {
  id: string;
  dependency: OutageDependency;
  /** What the first trigger met. */
  cause: string;
  since: Date;
  /** Every pipeline whose triggers waited in it. */
  pipelines: Set<string>;
  /** Set once its alert is raised. */
  alertedAt?: Date;
}

/**
 * Gathers the triggers' outage reports into episodes, one per dependency: however many
 * triggers and events wait, an episode raises `alert` once, when it has lasted `alertAfterMs`,
 * and `ended` once, when the last waiting trigger resumes.
 */
export class OutageEpisodes {
  private readonly open = new Map<
    OutageDependency,
    { episode: OutageEpisode; waiting: Set<string>; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly alertAfterMs: number,
    private readonly alert: (episode: OutageEpisode) => void,
    private readonly ended: (episode: OutageEpisode, endedAt: Date) => void,
  ) {}

  heard(report: OutageReport): void {
    const trigger = `${report.pipeline}\u0000${report.event}`;
    const current = this.open.get(report.dependency);
    if (report.phase === 'began') {
      if (current) {
        current.waiting.add(trigger);
        current.episode.pipelines.add(report.pipeline);
        return;
      }
      const episode: OutageEpisode = {
        id: randomUUID(),
        dependency: report.dependency,
        cause: report.cause,
        since: report.since,
        pipelines: new Set([report.pipeline]),
      };
      const timer = setTimeout(
        () => {
          episode.alertedAt = new Date();
          this.alert(episode);
        },
        this.alertAfterMs - (Date.now() - report.since.getTime()),
      );
      timer.unref();
      this.open.set(report.dependency, { episode, waiting: new Set([trigger]), timer });
      return;
    }
    if (!current?.waiting.delete(trigger) || current.waiting.size > 0) return;
    clearTimeout(current.timer);
    this.open.delete(report.dependency);
    this.ended(current.episode, new Date());
  }

  /** At shutdown: no alert is raised for an episode still open. */
  stop(): void {
    for (const { timer } of this.open.values()) clearTimeout(timer);
    this.open.clear();
  }
}
