/**
 * `npm run bench`: bounded, loopback-only measurements of the embedded default, each reported with a
 * baseline measured in the same run. Writes bench-results.json and prints a table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { GROUPS, generateOrder } from '@kafka-monitor/domain';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { produceOrders } from '@kafka-monitor/pipeline';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const API_SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const LATENCY_RATE = 1_000;
const PORT = 3901;
const root = fileURLToPath(new URL('../..', import.meta.url));

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

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
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const now = Date.now();
  for (let i = 0; i < ORDERS; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, ORDERS - i) }, (_, j) =>
      generateOrder(random, { orderId: randomUUID(), timestamp: now - ORDERS + i + j }, 0.1),
    );
    await produceOrders(bus, store.produced, batch);
  }
  await bus.close();
  await store.close();
}

function startPipeline(dataDir: string, orderRate: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(root, 'services/launcher/src/main.ts')], {
    env: { ...process.env, DATA_DIR: dataDir, ORDER_RATE: String(orderRate), PORT: String(PORT), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match === null ? 0 : Number(match[1]) / 1024;
}

interface Buckets {
  readonly le: number[];
  readonly counts: number[];
}

/** Cumulative histogram buckets of one series from a Prometheus exposition. */
function histogram(text: string, name: string, processor: string): Buckets {
  const le: number[] = [];
  const counts: number[] = [];
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)",processor="${processor}"\\} (\\d+)`, 'gm');
  for (const match of text.matchAll(pattern)) {
    le.push(match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]));
    counts.push(Number(match[2]));
  }
  return { le, counts };
}

/** Quantile of the observations between two scrapes, interpolated within a bucket as histogram_quantile does. */
function quantile(before: Buckets, after: Buckets, q: number): number {
  const counts = after.counts.map((c, i) => c - (before.counts[i] ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  for (let i = 0; i < counts.length; i++) {
    if ((counts[i] ?? 0) >= rank) {
      const upper = after.le[i] ?? 0;
      const lower = i === 0 ? 0 : (after.le[i - 1] ?? 0);
      const below = i === 0 ? 0 : (counts[i - 1] ?? 0);
      if (!Number.isFinite(upper)) return lower;
      return lower + ((upper - lower) * (rank - below)) / Math.max(1, (counts[i] ?? 0) - below);
    }
  }
  return Number.NaN;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-'));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  log(`machine: ${machine}`);
  try {
    log(`baseline: raw embedded log, ${ORDERS} messages appended, consumed and committed`);
    const baselineLogMsgsPerSec = await measureBaseline(dataDir);

    log(`seeding ${ORDERS} orders through the producer path`);
    await seedOrders(dataDir);

    log('processing the backlog with both processors');
    const files = embeddedFiles(dataDir);
    const store = createSqliteStore({ file: files.store });
    const child = startPipeline(dataDir, 0);
    const exited = once(child, 'exit');
    const start = performance.now();
    let firstProgressAt: number | undefined;
    for (;;) {
      const [views, registry] = await Promise.all([store.views.totals(), store.registry.totals()]);
      if (firstProgressAt === undefined && views.totalOrders > 0) firstProgressAt = performance.now();
      if (views.totalOrders === ORDERS && registry.registeredCount === ORDERS) break;
      if (performance.now() - start > 600_000) throw new Error('backlog not drained in 10 minutes');
      await sleep(20);
    }
    const drainSeconds = (performance.now() - (firstProgressAt ?? start)) / 1000;
    const ordersPerSec = ORDERS / drainSeconds;

    await waitForHttp(`http://127.0.0.1:${PORT}/api/stats`);
    const api: Record<string, number> = {};
    for (const [key, path] of [
      ['stats', '/api/stats'],
      ['timeline', '/api/timeline?limit=100'],
    ] as const) {
      log(`autocannon ${path} for ${API_SECONDS} s, 10 connections`);
      const result = await autocannon({
        url: `http://127.0.0.1:${PORT}${path}`,
        connections: 10,
        duration: API_SECONDS,
      });
      if (result.errors > 0 || result.non2xx > 0)
        throw new Error(`${path}: ${result.errors} errors, ${result.non2xx} non-2xx`);
      api[`${key}ReqPerSec`] = result.requests.average;
      api[`${key}P99Ms`] = result.latency.p99;
    }

    log(`end-to-end latency at ${LATENCY_RATE} orders/s for ${LATENCY_SECONDS} s`);
    const scrape = async () => (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
    await fetch(`http://127.0.0.1:${PORT}/api/generator`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'order-rate': LATENCY_RATE }),
    });
    await sleep(2_000);
    const before = histogram(await scrape(), 'kafka_monitor_end_to_end_latency_seconds', GROUPS.queryProcessor);
    await sleep(LATENCY_SECONDS * 1000);
    const after = histogram(await scrape(), 'kafka_monitor_end_to_end_latency_seconds', GROUPS.queryProcessor);
    await fetch(`http://127.0.0.1:${PORT}/api/generator`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'order-rate': 0 }),
    });
    const observed = (after.counts.at(-1) ?? 0) - (before.counts.at(-1) ?? 0);

    const peakRss = child.pid === undefined ? 0 : peakRssMb(child.pid);
    child.kill('SIGTERM');
    await exited;
    await store.close();

    const results = {
      machine,
      measuredAt: new Date().toISOString(),
      orders: ORDERS,
      embedded: {
        ordersPerSec: Math.round(ordersPerSec),
        p50LatencyMs: Number((quantile(before, after, 0.5) * 1000).toFixed(1)),
        p99LatencyMs: Number((quantile(before, after, 0.99) * 1000).toFixed(1)),
        latencyOrdersObserved: observed,
        baselineLogMsgsPerSec: Math.round(baselineLogMsgsPerSec),
        peakRssMb: Math.round(peakRss),
      },
      api: {
        statsReqPerSec: Math.round(api.statsReqPerSec ?? 0),
        statsP99Ms: api.statsP99Ms ?? 0,
        timelineReqPerSec: Math.round(api.timelineReqPerSec ?? 0),
        timelineP99Ms: api.timelineP99Ms ?? 0,
      },
    };
    writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.table({
      'end-to-end orders/s (both processors)': results.embedded.ordersPerSec,
      'baseline: raw log msgs/s': results.embedded.baselineLogMsgsPerSec,
      'ratio to baseline': Number((ordersPerSec / baselineLogMsgsPerSec).toFixed(3)),
      [`p50 latency at ${LATENCY_RATE}/s (ms)`]: results.embedded.p50LatencyMs,
      [`p99 latency at ${LATENCY_RATE}/s (ms)`]: results.embedded.p99LatencyMs,
      'peak RSS of the pipeline (MB)': results.embedded.peakRssMb,
      'GET /api/stats req/s': results.api.statsReqPerSec,
      'GET /api/stats p99 (ms)': results.api.statsP99Ms,
      'GET /api/timeline?limit=100 req/s': results.api.timelineReqPerSec,
      'GET /api/timeline?limit=100 p99 (ms)': results.api.timelineP99Ms,
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
