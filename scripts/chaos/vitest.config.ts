import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/*
 * Fault scenarios run by `npm run test:chaos` (scripts/chaos/test.sh starts the engines it stops and
 * restarts). One file at a time: each stops engines or kills processes that the next one would need.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/chaos/**/*.chaos.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 420_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Scenario order is part of the time budget: cheapest first, so a broken setup fails fast.
    sequence: { shuffle: false },
  },
});
