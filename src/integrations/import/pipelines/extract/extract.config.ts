import { z } from 'zod';
import {
  type ConfigOf,
  defineConfig,
  millis,
  positiveInt,
} from '../../../../platform/config/index.js';
import { type BusConfig, retentionOf } from '../../../../platform/event-bus/index.js';
import { recordExtracted } from '../../kernel/record-events.js';

/** The `extract` pipeline: its extraction lease, resumption, and how far it may run ahead. */
export const extractConfig = defineConfig({
  key: 'importFlow.extract',
  schema: z
    .object({
      /** An extraction renews its lease every page; a lease this old belongs to a dead process. */
      leaseMs: millis,
      /** How often unfinished extractions of dead processes are looked for and resumed. */
      resumeIntervalMs: millis,
      /**
       * Extraction waits while the process pipeline has more extracted records than this
       * to finish: Redis memory stays bounded and retention never trims unread records.
       */
      maxBacklog: positiveInt,
    })
    .strict(),
  defaults: { leaseMs: 30000, resumeIntervalMs: 15000, maxBacklog: 50000 },
  env: { maxBacklog: { name: 'IMPORT_EXTRACT_MAX_BACKLOG', parse: 'integer' } },
  // Extraction waits for the process pipeline below maxBacklog: a stream trimmed shorter
  // than that would drop records nobody has read yet.
  check: ({ maxBacklog }, config: { bus: BusConfig }, report) => {
    const { maxLength } = retentionOf(config.bus, recordExtracted);
    if (maxLength !== undefined && maxBacklog >= maxLength) {
      report(
        ['maxBacklog'],
        `must be below the ${recordExtracted.name} stream's retention (maxLength ${maxLength}), or unread records are trimmed`,
      );
    }
  },
});

export type ExtractConfig = ConfigOf<typeof extractConfig>;
