import { defineConfig } from 'vitest/config';

/**
 * The fault suite (`npm run test:faults`): the built app as separate OS processes against a
 * MariaDB and a Redis the harness (test/harness) starts for each file, faults injected. Not
 * among `npm test`'s projects: it needs `npm run build` and takes minutes.
 */
export default defineConfig({
  test: {
    name: 'faults',
    include: ['test/faults/**/*.fault-spec.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Each file runs its own servers and app processes: one at a time on two cores.
    fileParallelism: false,
  },
});
