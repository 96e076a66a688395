/**
 * `npx tsx scripts/bench/api-compare.ts <other checkout> [path]`: the monitor API of another checkout
 * (the baseline, with its dependencies installed) against this one, in one process on one store.
 *
 * The server CPU per request of a fresh `npm start` varies by half between process starts of the same
 * code, more than most changes to the request path. Here both builds listen in the same process, and
 * an autocannon process on the other core loads them in turn (A B, B A, …) for BENCH_ROUNDS rounds
 * (default 10) of BENCH_SECONDS each (default 4). It prints the main thread's CPU per request of each
 * turn, their medians and the ratio this/baseline; the pair-by-pair comparison is the robust part.
 * BENCH_SEED_ORDERS (default 0) orders are first put through both processors, so reads that grow with
 * the data (the timeline's statuses) have something to read.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as current from '@kafka-monitor/monitor';
import { silentLogger } from '@kafka-monitor/domain';
import { createProcessMetrics, currentBuild } from '@kafka-monitor/pipeline';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { loadConfig, newTimeOrderedId, openInfrastructure } from '@kafka-monitor/runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import { root, seedBacklog } from './common.js';

const otherRoot = process.argv[2];
if (otherRoot === undefined) throw new Error('usage: api-compare.ts <other checkout> [path]');
const path = process.argv[3] ?? '/api/stats';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const SEED_ORDERS = Number(process.env.BENCH_SEED_ORDERS ?? 0);
const PORTS = { baseline: 18_601, this: 18_602 } as const;
type Build = keyof typeof PORTS;

const baseline = (await import(
  pathToFileURL(join(resolve(otherRoot), 'services/monitor/src/index.ts')).href
)) as typeof current;

function canPin(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const pin = canPin();

/** CPU time of this process's main thread (the one serving both builds) in ms. */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function load(port: number, seconds: number): Promise<{ requests: number; cpuMs: number }> {
  const cpuBefore = mainThreadCpuMs();
  const cli = [join(root, 'node_modules/autocannon/autocannon.js'), '-c', '10', '-d', String(seconds), '-j'];
  const [command, args] = pin
    ? ['taskset', ['-c', '1', process.execPath, ...cli, `http://127.0.0.1:${port}${path}`]]
    : [process.execPath, [...cli, `http://127.0.0.1:${port}${path}`]];
  return new Promise((done, fail) => {
    execFile(command, args, (error, stdout) => {
      if (error !== null) {
        fail(new Error(`autocannon failed: ${error.message}`));
        return;
      }
      const result = JSON.parse(stdout) as { requests: { total: number }; non2xx: number };
      if (result.non2xx > 0) fail(new Error(`${result.non2xx} answers to ${path} were not 2xx`));
      else done({ requests: result.requests.total, cpuMs: mainThreadCpuMs() - cpuBefore });
    });
  });
}

/** Publishes `count` orders and runs both processors in this process until every one is registered. */
async function seedThroughProcessors(count: number): Promise<void> {
  await seedBacklog(bus, store.produced, count);
  const shared = {
    bus,
    control: store.control,
    instanceId: 'api-compare',
    logger: silentLogger,
    now: Date.now,
    observeBatch: createProcessMetrics(currentBuild({ bus: 'embedded', store: 'sqlite' })).observeBatch,
  };
  const processors = [
    createQueryProcessor({ ...shared, views: store.views }),
    createRegistryProcessor({ ...shared, registry: store.registry }),
  ];
  for (const processor of processors) await processor.start();
  while ((await store.registry.totals()).registeredCount < count || (await store.views.totals()).totalOrders < count) {
    await sleep(50);
  }
  for (const processor of processors) await processor.stop();
  console.log(`seeded ${count} orders through both processors`);
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

const dataDir = mkdtempSync(join(tmpdir(), 'api-compare-'));
const config = loadConfig({ DATA_DIR: dataDir, ORDER_RATE: '0' });
const { bus, store } = await openInfrastructure(config);
const deps = { bus, store, now: Date.now, newId: newTimeOrderedId };
if (SEED_ORDERS > 0) await seedThroughProcessors(SEED_ORDERS);
const builds = {
  baseline: await baseline.buildMonitor({ ...deps, options: baseline.monitorOptionsFrom(config) }),
  this: await current.buildMonitor({ ...deps, options: current.monitorOptionsFrom(config) }),
};
try {
  for (const build of ['baseline', 'this'] as const) {
    await builds[build].app.listen({ host: '127.0.0.1', port: PORTS[build] });
  }
  if (pin) execFileSync('taskset', ['-a', '-pc', '0', String(process.pid)], { stdio: 'ignore' });
  console.log(`${path}: baseline ${resolve(otherRoot)}, this ${root}; ${pin ? 'pinned' : 'not pinned'}`);
  for (const build of ['baseline', 'this'] as const) await load(PORTS[build], 2);
  const perRequest: Record<Build, number[]> = { baseline: [], this: [] };
  let thisCheaper = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order: Build[] = round % 2 === 0 ? ['baseline', 'this'] : ['this', 'baseline'];
    const line: string[] = [];
    for (const build of order) {
      const { requests, cpuMs } = await load(PORTS[build], SECONDS);
      const micros = (cpuMs * 1000) / requests;
      perRequest[build].push(micros);
      line.push(`${build} ${Math.round(requests / SECONDS)} req/s ${micros.toFixed(1)} µs`);
    }
    if ((perRequest.this.at(-1) ?? 0) < (perRequest.baseline.at(-1) ?? 0)) thisCheaper++;
    console.log(`round ${round + 1}: ${line.join(', ')}`);
  }
  const [a, b] = [median(perRequest.baseline), median(perRequest.this)];
  console.log(
    `main-thread CPU per request, median: baseline ${a.toFixed(1)} µs, this ${b.toFixed(1)} µs, ratio ${(b / a).toFixed(3)}; ` +
      `this cheaper in ${thisCheaper} of ${ROUNDS} rounds`,
  );
} finally {
  await builds.baseline.app.close();
  await builds.this.app.close();
  await bus.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
