import { defineConfig } from 'vitest/config';

// Vitest reads `experimentalDecorators` and `emitDecoratorMetadata` from tsconfig.json, which
// Nest's dependency injection needs; no plugin is required.
export default defineConfig({
  test: {
    env: { NODE_ENV: 'test' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // A pipeline's spec lives in its folder (src/integrations/<name>/pipelines/<pipeline>/).
          include: ['test/**/*.e2e-spec.ts', 'src/**/*.e2e-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Files share two cores with MariaDB and Redis: one at a time keeps timings sane.
          fileParallelism: false,
        },
      },
    ],
  },
});
