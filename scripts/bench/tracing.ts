/**
 * What tracing costs the embedded pipeline: the query and registry processors drain the same seeded
 * backlog in the compiled launcher with tracing off, then on (OTLP/HTTP to a sink in this process that
 * reads and discards every export), alternating for BENCH_ROUNDS rounds (default 2), each on a fresh
 * copy of the data. With tracing on the backlog carries the `traceparent` its sends were given, as it
 * would. Prints orders/s of each, the ratio on/off, spans received per order and peak RSS; writes the
 * `tracing` section of bench-results.json. BENCH_TRACING_ORDERS (default 50,000) orders.
 * BENCH_BASELINE_CHECKOUT=<dir>: also drain the plain backlog with that checkout's launcher (one built
 * before tracing existed, with its dependencies installed) each round: what tracing off costs.
 * Run alone with `npx tsx scripts/bench/tracing.ts`; `npm run bench` runs it last.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { generateOrder, noMessageTracing, type MessageTracing } from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { startOtlpTracing } from '@kafka-monitor/telemetry';
import { benchOrderId, log, machine, measureDrain, seededRandom, startPipeline, writeResults } from './common.js';

const ORDERS = Number(process.env.BENCH_TRACING_ORDERS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PORT = 3902;
const BASELINE = process.env.BENCH_BASELINE_CHECKOUT;

/** An OTLP/HTTP collector stand-in: reads each export, counts its spans, answers 200. */
async function startSink() {
  let spans = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // Every span has one "spanId" (links, the only other holders, are on redrives, which this has none of).
      spans += Buffer.concat(chunks).toString().split('"spanId":').length - 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    spans: () => spans,
    reset: () => (spans = 0),
    close: () => server.close(),
  };
}

async function seed(dataDir: string, tracing: MessageTracing): Promise<void> {
  const files = embeddedFiles(dataDir);
  const bus = createEmbeddedEventBus({ file: files.log });
  const store = createSqliteStore({ file: files.store });
  await bus.ensureTopics(pipelineTopics());
  const random = seededRandom(42);
  const now = Date.now();
  for (let i = 0; i < ORDERS; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, ORDERS - i) }, (_, j) =>
      generateOrder(random, { orderId: benchOrderId(), timestamp: now - ORDERS + i + j }, 0.1),
    );
    await produceOrders(bus, store.produced, batch, { tracing });
  }
  await bus.close();
  await store.close();
}

async function drain(
  seeded: string,
  env: Record<string, string>,
  checkout?: string,
): Promise<{ ordersPerSec: number; peakRssMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-tracing-run-'));
  cpSync(seeded, dataDir, { recursive: true });
  const store = createSqliteStore({ file: embeddedFiles(dataDir).store });
  const pipeline = startPipeline(
    { DATA_DIR: dataDir, SERVICES: 'query-processor,registry-processor', METRICS_PORT: '0', ...env },
    PORT,
    undefined,
    checkout,
  );
  try {
    const ordersPerSec = await measureDrain(ORDERS, async () => {
      const [views, registry] = await Promise.all([store.views.totals(), store.registry.totals()]);
      return { views: views.totalOrders, registered: registry.registeredCount };
    });
    return { ordersPerSec, peakRssMb: pipeline.peakRssMb() };
  } finally {
    await pipeline.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

export async function measureTracing(): Promise<Record<string, number>> {
  const sink = await startSink();
  const plain = mkdtempSync(join(tmpdir(), 'bench-tracing-plain-'));
  const traced = mkdtempSync(join(tmpdir(), 'bench-tracing-traced-'));
  try {
    log(`tracing: seeding ${ORDERS} orders twice (without and with trace context)`);
    await seed(plain, noMessageTracing);
    const seeding = startOtlpTracing({ endpoint: sink.url, serviceName: 'bench-seed' });
    await seed(traced, seeding.tracing);
    await seeding.shutdown();
    const off: number[] = [];
    const on: number[] = [];
    const before: number[] = [];
    const rss = { off: 0, on: 0 };
    let spansPerOrder = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      if (BASELINE !== undefined) {
        before.push((await drain(plain, {}, BASELINE)).ordersPerSec);
        log(`  round ${round}: ${BASELINE} ${Math.round(before.at(-1) ?? 0)} orders/s`);
      }
      const without = await drain(plain, {});
      off.push(without.ordersPerSec);
      rss.off = Math.max(rss.off, without.peakRssMb);
      sink.reset();
      const withTracing = await drain(traced, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
      on.push(withTracing.ordersPerSec);
      rss.on = Math.max(rss.on, withTracing.peakRssMb);
      spansPerOrder = sink.spans() / ORDERS;
      log(
        `  round ${round}: off ${Math.round(without.ordersPerSec)} orders/s, on ${Math.round(withTracing.ordersPerSec)} orders/s, ${spansPerOrder.toFixed(2)} spans exported per order`,
      );
    }
    const figures = {
      orders: ORDERS,
      rounds: ROUNDS,
      offOrdersPerSec: Math.round(median(off)),
      onOrdersPerSec: Math.round(median(on)),
      ratioOnToOff: Number((median(on) / median(off)).toFixed(3)),
      spansExportedPerOrder: Number(spansPerOrder.toFixed(2)),
      ...(before.length === 0
        ? {}
        : {
            baselineOrdersPerSec: Math.round(median(before)),
            ratioOffToBaseline: Number((median(off) / median(before)).toFixed(3)),
          }),
      offPeakRssMb: Math.round(rss.off),
      onPeakRssMb: Math.round(rss.on),
    };
    console.table(figures);
    return figures;
  } finally {
    sink.close();
    rmSync(plain, { recursive: true, force: true });
    rmSync(traced, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  log(`machine: ${machine()}`);
  const tracing = await measureTracing();
  writeResults({ tracing, tracingRun: { machine: machine(), measuredAt: new Date().toISOString() } });
}
