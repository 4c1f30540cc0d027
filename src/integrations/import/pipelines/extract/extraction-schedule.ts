import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { InjectConfig } from '../../../../platform/config/index.js';
import { type ImportFlowConfig, importFlowConfig } from '../../import.config.js';
import { Extraction } from './extraction.js';

/**
 * Starts an import of each source that has a `cron`, through `@nestjs/schedule` (whose
 * orchestrator stops the jobs at shutdown). Every replica fires; the import is keyed by
 * source and minute, so one import is made per tick.
 */
@Injectable()
export class ExtractionSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger('ExtractionSchedule');

  constructor(
    @InjectConfig(importFlowConfig) private readonly flow: ImportFlowConfig,
    private readonly extraction: Extraction,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    for (const [name, source] of Object.entries(this.flow.sources)) {
      if (!source.cron) continue;
      const job = CronJob.from({
        cronTime: source.cron,
        onTick: () => void this.fire(name),
        start: true,
      });
      this.registry.addCronJob(`import:${name}`, job);
    }
  }

  private async fire(source: string): Promise<void> {
    const minute = new Date().toISOString().slice(0, 16);
    try {
      const started = await this.extraction.start(source, {
        triggeredBy: 'schedule',
        triggerKey: `${source}@${minute}`,
        correlationId: randomUUID(),
      });
      if (started) this.logger.log(`scheduled import ${started.id} of '${source}' started`);
    } catch (error) {
      this.logger.error(
        `scheduled import of '${source}' could not start: ${(error as Error).message}`,
      );
    }
  }
}
