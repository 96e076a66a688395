/**
 * `npx tsx scripts/bench/checkpoints.ts`: the view store's batch commit with WAL checkpoints on the
 * committing thread (SQLite's default) against checkpoints on a worker thread, alternating in one run.
 * Prints total time and the distribution of per-batch durations (what a consumer's event loop feels).
 * BENCH_BATCHES (default 400) batches of 100 orders, BENCH_ROUNDS (default 3) pairs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOrder } from '@kafka-monitor/domain';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { benchOrderId, log, seededRandom } from './common.js';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function run(backgroundCheckpoints: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-checkpoints-'));
  const store = createSqliteStore({ file: join(dir, 'store.db'), backgroundCheckpoints });
  const random = seededRandom(7);
  const durations: number[] = [];
  const started = performance.now();
  let offset = 0;
  try {
    for (let b = 0; b < BATCHES; b++) {
      const entries = Array.from({ length: 100 }, () => ({
        offset: offset++,
        content: generateOrder(random, { orderId: benchOrderId(), timestamp: Date.now() }, 0.1),
      }));
      const t = performance.now();
      await store.views.applyOrders({ consumer: 'bench', topic: 'orders', partition: 0 }, entries, Date.now());
      durations.push(performance.now() - t);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const total = performance.now() - started;
  durations.sort((a, b) => a - b);
  const at = (q: number): string => (durations[Math.floor(q * (durations.length - 1))] ?? 0).toFixed(1);
  log(
    `${backgroundCheckpoints ? 'worker thread ' : 'commit thread '} total ${total.toFixed(0)} ms; ` +
      `batch p50 ${at(0.5)} p90 ${at(0.9)} p99 ${at(0.99)} max ${at(1)} ms; ` +
      `${durations.filter((d) => d > 30).length} of ${BATCHES} over 30 ms`,
  );
}

for (let round = 0; round < ROUNDS; round++) {
  await run(false);
  await run(true);
}
