/**
 * `npx tsx scripts/bench/threads.ts`: how far a second thread would take the embedded pipeline. Drains
 * a seeded backlog with the query and registry processors in three layouts, each in a fresh process
 * (so its peak RSS is its own), in turn for BENCH_ROUNDS rounds (default 2):
 * - `one-thread`: both on the main thread, as `npm start` runs them;
 * - `registry-thread`: the registry processor on a worker thread with its own connections, on the
 *   same store file;
 * - `registry-thread-own-file`: the same, with the registry writing to a store file of its own.
 * Prints orders/s and the process's VmHWM for each. No monitor and no background checkpoints: this
 * compares the processors' layouts, not the whole service. BENCH_ORDERS (default 200,000) orders.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { silentLogger } from '@kafka-monitor/domain';
import type { EventBus, Store } from '@kafka-monitor/domain';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { log, seedBacklog } from './common.js';

const LAYOUTS = ['one-thread', 'registry-thread', 'registry-thread-own-file'] as const;
type Layout = (typeof LAYOUTS)[number];

interface RegistryFiles {
  readonly log: string;
  readonly store: string;
}

/** Runs a registry processor until `stopped` resolves. */
async function runRegistry(bus: EventBus, store: Store, stopped: Promise<void>): Promise<void> {
  const processor = createRegistryProcessor({
    bus,
    registry: store.registry,
    control: store.control,
    instanceId: 'threads-registry',
    logger: silentLogger,
    now: Date.now,
  });
  await processor.start();
  await stopped;
  await processor.stop();
}

/** Starts this module on a worker thread through tsx, which a worker does not inherit from `tsx` itself. */
function startRegistryThread(files: RegistryFiles): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(source, { eval: true, workerData: files });
}

async function drain(layout: Layout, orders: number): Promise<{ ordersPerSec: number; peakRssMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threads-'));
  try {
    const files = embeddedFiles(dataDir);
    const registryFiles = {
      log: files.log,
      store: layout === 'registry-thread-own-file' ? join(dataDir, 'registry.db') : files.store,
    };
    const bus = createEmbeddedEventBus({ file: files.log });
    const store = createSqliteStore({ file: files.store });
    const registryStore =
      registryFiles.store === files.store ? store : createSqliteStore({ file: registryFiles.store });
    await bus.ensureTopics(pipelineTopics());
    await seedBacklog(bus, store.produced, orders);

    const started = performance.now();
    const query = createQueryProcessor({
      bus,
      views: store.views,
      control: store.control,
      instanceId: 'threads-query',
      logger: silentLogger,
      now: Date.now,
    });
    await query.start();
    let stopRegistry: () => Promise<void>;
    // A thread that fails mid-drain would leave the totals short forever: the wait checks this.
    let threadFailure: Error | undefined;
    if (layout === 'one-thread') {
      // One bus and one store connection for both, as `npm start` shares them.
      let release = (): void => undefined;
      const done = runRegistry(bus, store, new Promise<void>((resolve) => (release = resolve)));
      stopRegistry = async () => {
        release();
        await done;
      };
    } else {
      const worker = startRegistryThread(registryFiles);
      worker.once('error', (error) => (threadFailure = error));
      stopRegistry = async () => {
        const stopped = new Promise((resolve) => worker.once('message', resolve));
        worker.postMessage('stop');
        await stopped;
        await worker.terminate();
      };
    }
    for (;;) {
      if (threadFailure !== undefined) throw threadFailure;
      const [views, registry] = await Promise.all([store.views.totals(), registryStore.registry.totals()]);
      if (views.totalOrders >= orders && registry.registeredCount >= orders) break;
      await sleep(5);
    }
    const seconds = (performance.now() - started) / 1000;
    await query.stop();
    await stopRegistry();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    await bus.close();
    await store.close();
    if (registryStore !== store) await registryStore.close();
    return { ordersPerSec: Math.round(orders / seconds), peakRssMb: Math.round(Number(hwm?.[1] ?? 0) / 1024) };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!isMainThread) {
  const port = parentPort;
  if (port === null) throw new Error('a registry thread needs its parent port');
  const files = workerData as RegistryFiles;
  const bus = createEmbeddedEventBus({ file: files.log });
  const store = createSqliteStore({ file: files.store });
  await runRegistry(bus, store, new Promise<void>((resolve) => port.once('message', () => resolve())));
  await bus.close();
  await store.close();
  port.postMessage('stopped');
} else if (process.argv[2] !== undefined) {
  const layout = LAYOUTS.find((l) => l === process.argv[2]);
  if (layout === undefined) throw new Error(`layout must be one of ${LAYOUTS.join(', ')}`);
  console.log(JSON.stringify(await drain(layout, Number(process.env.BENCH_ORDERS ?? 200_000))));
} else {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const script = fileURLToPath(import.meta.url);
  for (let round = 1; round <= rounds; round++) {
    for (const layout of LAYOUTS) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, layout], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${layout} failed: ${child.stderr}`);
      const figures = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
        ordersPerSec: number;
        peakRssMb: number;
      };
      log(`round ${round} ${layout.padEnd(24)} ${figures.ordersPerSec} orders/s, peak RSS ${figures.peakRssMb} MB`);
    }
  }
}
