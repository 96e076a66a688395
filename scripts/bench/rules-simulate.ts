/**
 * `node --expose-gc --import tsx scripts/bench/rules-simulate.ts`: what POST /api/rules/simulate costs
 * at its largest request. Appends BENCH_ORDERS (default 100,000) generated orders (10 % anomalies) to
 * the `orders` topic of an embedded log in a temporary directory, builds the monitor on it, then sends
 * `{"max-quantity": 5, "price-tolerance": 0.02, "orders": 100000}` (about half the orders change) and prints the time of the request
 * (the median of BENCH_RUNS, default 3), the heap growth and the RSS during the requests, sampled every 5 ms,
 * against their values before the first request. Nothing else runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { TOPICS, encodeOrder, generateOrder } from '@kafka-monitor/domain';
import { buildMonitor } from '@kafka-monitor/monitor';
import { embeddedFiles, newTimeOrderedId, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { seededRandom } from './common.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const mib = (bytes: number) => (bytes / 1_048_576).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
const files = embeddedFiles(dir);
const bus = createEmbeddedEventBus({ file: files.log });
const store = createSqliteStore({ file: files.store });
try {
  await bus.ensureTopics(pipelineTopics());
  const random = seededRandom(7);
  const now = Date.now();
  for (let i = 0; i < ORDERS; i += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, ORDERS - i) }, (_, j) =>
      generateOrder(random, { orderId: newTimeOrderedId(), timestamp: now + i + j }, 0.1),
    );
    await bus.publish(
      TOPICS.orders,
      batch.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
    );
  }
  const monitor = await buildMonitor({
    bus,
    store,
    now: Date.now,
    newId: newTimeOrderedId,
    options: {
      busType: 'embedded',
      storeType: 'sqlite',
      collectDeadLetters: false,
      lagSampleMs: 0,
      restoreLagHistory: false,
    },
  });
  const request = {
    method: 'POST' as const,
    url: '/api/rules/simulate',
    payload: { 'max-quantity': 5, 'price-tolerance': 0.02, orders: ORDERS },
  };
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    heapPeak = Math.max(heapPeak, usage.heapUsed);
    rssPeak = Math.max(rssPeak, usage.rss);
  }, 5);
  const times: number[] = [];
  let body: { data: { compared: number; changed: number } } | undefined;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const response = await monitor.app.inject(request);
    times.push(performance.now() - started);
    if (response.statusCode !== 200) throw new Error(`simulate answered ${response.statusCode}: ${response.body}`);
    body = response.json();
  }
  clearInterval(sampler);
  times.sort((a, b) => a - b);
  console.log(
    `simulate ${ORDERS} orders: compared ${body?.data.compared}, changed ${body?.data.changed}; ` +
      `median ${(times[Math.floor(times.length / 2)] ?? 0).toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms); ` +
      `heap growth during requests at most ${mib(heapPeak - heapBefore)} MiB; ` +
      `RSS before the requests ${mib(rssBefore)} MiB, peak during them ${mib(rssPeak)} MiB`,
  );
  await monitor.app.close();
} finally {
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
