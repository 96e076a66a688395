import { ensureRuntimeBuilt } from '../scripts/build.mjs';

/**
 * Tests spawn the launcher and the CLI as `npm start` and ./kafka.sh run them: compiled. Build them
 * once before any test file runs (a no-op when dist/app is newer than its sources), so no test races
 * another to build them.
 */
export default async function setup(): Promise<void> {
  await ensureRuntimeBuilt();
}
