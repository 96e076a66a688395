/**
 * `npx tsx scripts/bench/stages.ts`: drains a seeded backlog with one processor at a time, in-process,
 * and prints wall and CPU time per order for each, to find where end-to-end time goes.
 * BENCH_ORDERS (default 30,000); BENCH_PROFILE_DIR writes a CPU profile of each stage there;
 * BENCH_ORDER_IDS=random uses random order ids instead of the services' time-ordered ones.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { generateOrder, silentLogger } from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { benchOrderId } from './common.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 30_000);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

async function timed(name: string, run: () => Promise<void>): Promise<void> {
  const session = new Session();
  if (PROFILE_DIR !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  if (PROFILE_DIR !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  console.log(
    `${name.padEnd(20)} wall ${wallMs.toFixed(0).padStart(6)} ms  cpu ${cpuMs.toFixed(0).padStart(6)} ms  ` +
      `${((cpuMs * 1000) / ORDERS).toFixed(1).padStart(6)} µs cpu/order  ${Math.round(ORDERS / (wallMs / 1000))} orders/s`,
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'stages-'));
try {
  const files = embeddedFiles(dataDir);
  const bus = createEmbeddedEventBus({ file: files.log });
  const store = createSqliteStore({ file: files.store });
  await bus.ensureTopics(pipelineTopics());
  const now = Date.now();
  const orders = Array.from({ length: ORDERS }, (_, i) =>
    generateOrder(Math.random, { orderId: benchOrderId(), timestamp: now - ORDERS + i }, 0.1),
  );
  await timed('produce', async () => {
    for (let i = 0; i < ORDERS; i += 1_000) await produceOrders(bus, store.produced, orders.slice(i, i + 1_000));
  });
  const shared = { bus, control: store.control, instanceId: 'stages', logger: silentLogger, now: Date.now };
  await timed('query-processor', async () => {
    const processor = createQueryProcessor({ ...shared, views: store.views });
    await processor.start();
    while ((await store.views.totals()).totalOrders < ORDERS) await sleep(2);
    await processor.stop();
  });
  await timed('registry-processor', async () => {
    const processor = createRegistryProcessor({ ...shared, registry: store.registry });
    await processor.start();
    while ((await store.registry.totals()).registeredCount < ORDERS) await sleep(2);
    await processor.stop();
  });
  await bus.close();
  await store.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
