/**
 * `npm run bench`: bounded, loopback-only measurements of the embedded default, each reported with a
 * baseline measured in the same run. Writes the `embedded` and `api` sections of bench-results.json
 * and prints a table. BENCH_ORDERS (default 1,000,000) orders are seeded into the log and drained;
 * BENCH_PROFILE_DIR makes the pipeline process write a V8 CPU profile there. Ends with the tracing
 * case (scripts/bench/tracing.ts: a smaller backlog drained with tracing off and on; `tracing` section).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import {
  LATENCY_RATE,
  log,
  machine,
  measureApi,
  measureDrain,
  measureLatency,
  seedBacklog,
  startPipeline,
  waitForHttp,
  writeResults,
} from './common.js';
import { measureTracing } from './tracing.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const API_SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const PORT = 3901;

/** Raw log rate: append, consume and commit with no processing at all. */
async function measureBaseline(dataDir: string): Promise<number> {
  const bus = createEmbeddedEventBus({ file: join(dataDir, 'baseline.db') });
  await bus.ensureTopics([{ name: 'baseline', partitions: 3 }]);
  const payload = JSON.stringify({ 'order-id': randomUUID(), padding: 'x'.repeat(150) });
  const started = performance.now();
  for (let i = 0; i < ORDERS; i += 1_000) {
    await bus.publish(
      'baseline',
      Array.from({ length: 1_000 }, (_, j) => ({ key: `k${i + j}`, value: payload })),
    );
  }
  let consumed = 0;
  const consumer = await bus.consume({
    group: 'baseline',
    topics: ['baseline'],
    handleBatch: (batch) => {
      consumed += batch.messages.length;
      return Promise.resolve();
    },
  });
  while (consumed < ORDERS) await sleep(5);
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  await bus.close();
  return ORDERS / seconds;
}

async function seedOrders(dataDir: string): Promise<void> {
  const files = embeddedFiles(dataDir);
  const bus = createEmbeddedEventBus({ file: files.log });
  const store = createSqliteStore({ file: files.store });
  await bus.ensureTopics(pipelineTopics());
  await seedBacklog(bus, store.produced, ORDERS);
  await bus.close();
  await store.close();
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  log(`machine: ${machine()}`);
  try {
    log(`baseline: raw embedded log, ${ORDERS} messages appended, consumed and committed`);
    const baselineLogMsgsPerSec = await measureBaseline(dataDir);

    log(`seeding ${ORDERS} orders through the producer path`);
    await seedOrders(dataDir);

    log('processing the backlog with both processors');
    const store = createSqliteStore({ file: embeddedFiles(dataDir).store });
    const pipeline = startPipeline({ DATA_DIR: dataDir, ORDER_RATE: '0' }, PORT, process.env.BENCH_PROFILE_DIR);
    let ordersPerSec: number;
    try {
      ordersPerSec = await measureDrain(ORDERS, async () => {
        const [views, registry] = await Promise.all([store.views.totals(), store.registry.totals()]);
        return { views: views.totalOrders, registered: registry.registeredCount };
      });
      await waitForHttp(`http://127.0.0.1:${PORT}/api/stats`);
      const api = await measureApi(PORT, API_SECONDS);
      const latency = await measureLatency(PORT, LATENCY_SECONDS, { mustKeepUp: true });
      const peakRssMb = Math.round(pipeline.peakRssMb());
      // What the store keeps per order (views, registry, produced rows and positions; file and WAL).
      const storeBytes = (await store.describe()).sizeBytes;
      const storeBytesPerOrder = storeBytes === null ? null : Math.round(storeBytes / ORDERS);

      const embedded = {
        ordersPerSec: Math.round(ordersPerSec),
        p50LatencyMs: latency.p50LatencyMs,
        p99LatencyMs: latency.p99LatencyMs,
        latencyOrdersObserved: latency.latencyOrdersObserved,
        p50RegisteredMs: latency.registered.p50,
        p99RegisteredMs: latency.registered.p99,
        hopsMs: {
          producedToValidated: latency.producedToValidated,
          validatedToRegistered: latency.validatedToRegistered,
        },
        baselineLogMsgsPerSec: Math.round(baselineLogMsgsPerSec),
        peakRssMb,
        storeBytesPerOrder,
        ordersInLog: ORDERS,
      };
      writeResults({
        embedded,
        api,
        embeddedRun: { machine: machine(), measuredAt: new Date().toISOString() },
      });
      console.table({
        'end-to-end orders/s (both processors)': embedded.ordersPerSec,
        'baseline: raw log msgs/s': embedded.baselineLogMsgsPerSec,
        'ratio to baseline': Number((ordersPerSec / baselineLogMsgsPerSec).toFixed(3)),
        [`p50 latency at ${LATENCY_RATE}/s (ms)`]: embedded.p50LatencyMs,
        [`p99 latency at ${LATENCY_RATE}/s (ms)`]: embedded.p99LatencyMs,
        [`p50 / p99 to registration at ${LATENCY_RATE}/s (ms)`]: `${embedded.p50RegisteredMs} / ${embedded.p99RegisteredMs}`,
        '  hop: produced → validated p50 / p99 (ms)': `${latency.producedToValidated.p50} / ${latency.producedToValidated.p99}`,
        '  hop: validated → registered p50 / p99 (ms)': `${latency.validatedToRegistered.p50} / ${latency.validatedToRegistered.p99}`,
        [`peak RSS of the pipeline, ${ORDERS} orders in the log (MB)`]: embedded.peakRssMb,
        'store bytes per order (file + WAL)': embedded.storeBytesPerOrder,
        'GET /api/stats req/s': api.statsReqPerSec,
        'GET /api/stats p99 (ms)': api.statsP99Ms,
        'GET /api/timeline?limit=100 req/s': api.timelineReqPerSec,
        'GET /api/timeline?limit=100 p99 (ms)': api.timelineP99Ms,
      });
    } finally {
      await pipeline.stop();
      await store.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Last and on data of its own, so it cannot disturb the figures above.
  const tracing = await measureTracing();
  writeResults({ tracing, tracingRun: { machine: machine(), measuredAt: new Date().toISOString() } });
}

await main();
