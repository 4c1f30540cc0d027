import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectConfig } from '../../../../platform/config/index.js';
import { EventBus } from '../../../../platform/event-bus/index.js';
import { type ExtractConfig, extractConfig } from './extract.config.js';
import { RecurringTask } from '../../../../platform/scheduling/index.js';
import { Imports } from '../../kernel/imports.js';
import { Extraction } from './extraction.js';

/**
 * Nothing is lost when a process stops mid-import:
 * - every `resumeIntervalMs`, extractions whose lease ran out (their process died, or
 *   released them at shutdown) are taken over and continue after their last published page;
 * - on the in-process bus, which keeps nothing across a restart, unsettled imports are read
 *   again from the start at boot, and only the records never processed are published again.
 *   On Redis Streams the events published before the stop are still there.
 */
@Injectable()
export class ExtractionResumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ExtractionResumer');
  private readonly task: RecurringTask;

  constructor(
    @InjectConfig(extractConfig) private readonly settings: ExtractConfig,
    private readonly bus: EventBus,
    private readonly imports: Imports,
    private readonly extraction: Extraction,
    registry: SchedulerRegistry,
  ) {
    this.task = new RecurringTask(
      registry,
      'import-extraction-resumer',
      settings.resumeIntervalMs,
      () => this.resume(),
      this.logger,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.bus.durable) {
      const replayed = await this.imports.prepareReplay();
      if (replayed > 0)
        this.logger.log(
          `${replayed} unsettled import(s) will be read again: the in-process bus lost their events`,
        );
    }
    this.task.start();
    void this.task.runOnce();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  private async resume(): Promise<void> {
    const owner = randomUUID();
    const claimed = await this.imports.claimStale(owner, this.settings.leaseMs);
    for (const found of claimed) {
      if (this.extraction.isRunning(found.id)) continue;
      this.logger.log(`resuming the extraction of import ${found.id} (${found.source})`);
      this.extraction.launch(found, owner);
    }
  }
}
