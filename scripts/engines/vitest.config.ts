import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/*
 * Suites that need real engines (Kafka, Cassandra), run by `npm run test:engines` (scripts/engines/test.sh
 * starts the engines first). It lives here rather than beside the root vitest.config.ts because
 * tooling/tsconfig.json, which type-checks and lints the root config files, covers scripts/** already.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: [
      'packages/*/src/**/*.engine.test.ts',
      'services/*/src/**/*.engine.test.ts',
      'test/**/*.engine.test.ts',
      'scripts/**/*.engine.test.ts',
    ],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One shared broker and database: files run one after another, so the group rebalances of one file
    // do not stretch the timeouts of another on 2 cores.
    fileParallelism: false,
  },
});
