/**
 * `npx tsx scripts/bench/log-read.ts`: the cost of reading the embedded log, which every consumer
 * batch pays before any processing. Seeds BENCH_ORDERS (default 50,000) encoded orders into one
 * partition, then reads them back in batches of 500 through the bus, BENCH_ROUNDS times (default 15),
 * and prints the fastest and the median round in µs per message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { encodeOrder, generateOrder } from '@kafka-monitor/domain';
import { benchOrderId } from './common.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const BATCH = 500;

const dataDir = mkdtempSync(join(tmpdir(), 'log-read-'));
const bus = createEmbeddedEventBus({ file: join(dataDir, 'log.db') });
try {
  await bus.ensureTopics([{ name: 'orders', partitions: 1 }]);
  const now = Date.now();
  for (let i = 0; i < ORDERS; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, ORDERS - i) }, (_, j) => {
      const order = generateOrder(Math.random, { orderId: benchOrderId(), timestamp: now + i + j }, 0.1);
      return { key: order.orderId, value: encodeOrder(order) };
    });
    await bus.publish('orders', batch);
  }
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let read = 0;
    const started = performance.now();
    for (let from = 0; from < ORDERS; from += BATCH) read += (await bus.read('orders', 0, from, BATCH)).length;
    if (read !== ORDERS) throw new Error(`read ${read} of ${ORDERS} messages`);
    rounds.push(((performance.now() - started) * 1000) / ORDERS);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[Math.floor(rounds.length / 2)] ?? 0;
  console.log(
    `read ${ORDERS} messages × ${ROUNDS} rounds: fastest ${rounds[0]?.toFixed(2)} µs/message, median ${median.toFixed(2)}`,
  );
} finally {
  await bus.close();
  rmSync(dataDir, { recursive: true, force: true });
}
