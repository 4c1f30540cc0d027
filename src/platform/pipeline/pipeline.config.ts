import { z } from 'zod';
import { type ConfigOf, defineConfig } from '../config/index.js';
import { PIPELINE_NAME } from './pipeline-name.js';

/** The pipelines this process runs: `all`, or a list of names (`PIPELINES`). */
export const pipelinesConfig = defineConfig({
  key: 'pipelines',
  schema: z.union([
    z.literal('all'),
    z.array(z.string().regex(PIPELINE_NAME, 'lower-case pipeline names')).min(1),
  ]),
  defaults: 'all',
  env: { '': { name: 'PIPELINES', parse: 'pipelines' } },
});

export type PipelinesSelection = ConfigOf<typeof pipelinesConfig>;
