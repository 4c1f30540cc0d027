import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutageReport } from '../event-bus/bus-observers.js';
import { type OutageEpisode, OutageEpisodes } from './outage-episodes.js';

const report = (
  pipeline: string,
  phase: OutageReport['phase'],
  dependency: OutageReport['dependency'] = 'database',
): OutageReport => ({
  pipeline,
  event: 'record.extracted',
  phase,
  dependency,
  cause: 'ECONNREFUSED',
  since: new Date(),
});

describe('outage episodes', () => {
  let alerts: OutageEpisode[];
  let ended: OutageEpisode[];
  let episodes: OutageEpisodes;
  beforeEach(() => {
    vi.useFakeTimers();
    alerts = [];
    ended = [];
    episodes = new OutageEpisodes(
      1000,
      (e) => alerts.push(e),
      (e) => ended.push(e),
    );
  });
  afterEach(() => {
    episodes.stop();
    vi.useRealTimers();
  });

  it('alerts once for an outage every trigger meets, and ends it when the last one resumes', () => {
    episodes.heard(report('process', 'began'));
    vi.advanceTimersByTime(400);
    episodes.heard(report('reprocess', 'began'));
    vi.advanceTimersByTime(600);
    expect(alerts).toHaveLength(1);
    expect([...alerts[0]!.pipelines]).toEqual(['process', 'reprocess']);
    vi.advanceTimersByTime(5000);
    expect(alerts).toHaveLength(1);

    episodes.heard(report('process', 'ended'));
    expect(ended).toEqual([]);
    episodes.heard(report('reprocess', 'ended'));
    expect(ended).toEqual([alerts[0]]);
  });

  it('raises nothing for an outage shorter than the threshold, and keeps dependencies apart', () => {
    episodes.heard(report('process', 'began'));
    episodes.heard(report('process', 'began', 'broker'));
    vi.advanceTimersByTime(900);
    episodes.heard(report('process', 'ended'));
    vi.advanceTimersByTime(100);
    expect(alerts.map((e) => e.dependency)).toEqual(['broker']);
    expect(ended.map((e) => [e.dependency, e.alertedAt])).toEqual([['database', undefined]]);
  });
});
