/**
 * A second application process of a bench scenario, running the process pipeline only (a
 * replica in its consumer group). Parent → child: 'mark' (the timed import starts), 'stop'; child → parent: { ready } once
 * consuming, { figures } once stopped.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { type BenchAppOptions, startBenchApp } from './app.js';
import { peakRssMiB } from './memory.js';

export interface ExtraFigures {
  cpuUs: number;
  peakRssMiB: number;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const options = JSON.parse(process.env.BENCH_APP_OPTIONS ?? '{}') as BenchAppOptions;
  const app = await startBenchApp(options, ['process']);
  let cpuBefore = process.cpuUsage();
  process.send!({ ready: true });
  process.on('message', (message) => {
    // 'mark': the timed import starts now (after the warm-up).
    if (message === 'mark') cpuBefore = process.cpuUsage();
    if (message !== 'stop') return;
    const cpu = process.cpuUsage(cpuBefore);
    const figures: ExtraFigures = { cpuUs: cpu.user + cpu.system, peakRssMiB: peakRssMiB() };
    void app.close().finally(() => process.send!({ figures }, () => process.exit(0)));
  });
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
