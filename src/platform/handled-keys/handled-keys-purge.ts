import { Inject, Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BatchTask } from '../scheduling/batch-task.js';
import { HANDLED_KEYS_OPTIONS } from './constants.js';
import type { HandledKeysConfig } from './handled-keys.config.js';
import { HandledKeys } from './handled-keys.js';

/**
 * Every `handledKeys.purge.intervalMs`, deletes the marks no delivery carried for
 * `handledKeys.retentionMs`, `batchSize` per DELETE until none is left: without it the table
 * grows by one row per fact handled, for ever. Runs in every process, as the table is the
 * platform's, whatever pipelines the process runs.
 */
@Injectable()
export class HandledKeysPurge extends BatchTask {
  constructor(
    @Inject(HANDLED_KEYS_OPTIONS) options: HandledKeysConfig,
    keys: HandledKeys,
    registry: SchedulerRegistry,
  ) {
    super(
      registry,
      'handled-keys-purge',
      options.purge,
      (limit) => keys.purgeOlderThan(new Date(Date.now() - options.retentionMs), limit),
      new Logger('HandledKeysPurge'),
      'handled key mark(s) past their retention deleted',
    );
  }
}
