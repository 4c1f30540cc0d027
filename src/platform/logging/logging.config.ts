import { z } from 'zod';
import { type ConfigOf, defineConfig } from '../config/index.js';

/** What the process logs. */
export const logConfig = defineConfig({
  key: 'log',
  schema: z
    .object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    })
    .strict(),
  defaults: { level: 'info' },
  env: { level: { name: 'LOG_LEVEL', parse: 'string' } },
});

export type LogConfig = ConfigOf<typeof logConfig>;
