import { z } from 'zod';
import { type ConfigOf, defineConfig } from '../config/index.js';

/** The operator console: a browser page over the admin API, served by the app itself. */
export const consoleConfig = defineConfig({
  key: 'console',
  schema: z
    .object({
      /** Serve the console; off, its path is a plain 404. */
      enabled: z.boolean(),
      /** Where it is served, e.g. `/console` (one or more plain segments, no trailing slash). */
      path: z.string().regex(/^(\/[a-z0-9-]+)+$/, 'a path of lower-case segments such as /console'),
    })
    .strict(),
  defaults: { enabled: true, path: '/console' },
  env: { enabled: { name: 'CONSOLE_ENABLED', parse: 'boolean' } },
});

export type ConsoleConfig = ConfigOf<typeof consoleConfig>;
