import { z } from 'zod';
import { defineConfig } from './config-fragment.js';

/** The environment the process runs in (`NODE_ENV`, `development` when unset). */
export const environmentConfig = defineConfig({ key: 'env', schema: z.string().min(1) });
