import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { describe, expect, it } from 'vitest';
import { RecurringTask } from './recurring-task.js';

describe('RecurringTask', () => {
  it('never overlaps itself and waits for the run in flight when stopped', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const task = new RecurringTask(
      new SchedulerRegistry(),
      'test',
      5,
      async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await gate;
        concurrent--;
      },
      new Logger('test'),
    );
    task.start();
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(maxConcurrent).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(1);
  });

  it('keeps running after a failed run', async () => {
    let runs = 0;
    const task = new RecurringTask(
      new SchedulerRegistry(),
      'failing',
      5,
      async () => {
        runs++;
        throw new Error('boom');
      },
      { error: () => undefined } as unknown as Logger,
    );
    task.start();
    while (runs < 3) await new Promise((r) => setTimeout(r, 5));
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
