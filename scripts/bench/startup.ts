/**
 * `npx tsx scripts/bench/startup.ts`: start-up time and idle RSS of each service process, run through
 * tsx from the TypeScript sources against the compiled bundles (dist/app, as `npm start` and the image
 * run them), in one run: each round starts every service once per variant, the variants' order
 * alternating from round to round. Embedded bus and store, each start on a fresh DATA_DIR, no orders.
 *
 * Ready means `GET /health/ready` answered 200 on the process's METRICS_PORT (every process sets one
 * here, the monitor included, so each is probed the same way).
 *
 * BENCH_ROUNDS (default 3), BENCH_IDLE_MS (default 3000: how long a ready process idles before its RSS
 * is read).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureRuntimeBuilt } from '../build.mjs';
import { freePort } from '../../test/helpers.js';
import { machine, root } from './common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 3_000);
const V8_FLAGS = ['--no-allocation-site-pretenuring'];

interface Service {
  readonly name: string;
  readonly bundle: string;
  readonly source: string;
}

const SERVICES: readonly Service[] = [
  { name: 'launcher (all four)', bundle: 'launcher', source: 'services/launcher/src/main.ts' },
  {
    name: 'order-processor',
    bundle: 'order-processor',
    source: 'services/order-processor/src/main.ts',
  },
  {
    name: 'query-processor',
    bundle: 'query-processor',
    source: 'services/query-processor/src/main.ts',
  },
  {
    name: 'registry-processor',
    bundle: 'registry-processor',
    source: 'services/registry-processor/src/main.ts',
  },
  { name: 'monitor', bundle: 'monitor', source: 'services/monitor/src/main.ts' },
];

type Variant = 'tsx' | 'compiled';

function commandLine(service: Service, variant: Variant): string[] {
  return variant === 'compiled'
    ? [...V8_FLAGS, join(root, 'dist/app', `${service.bundle}.js`)]
    : [...V8_FLAGS, '--import', 'tsx', join(root, service.source)];
}

interface Measurement {
  readonly readyMs: number;
  readonly rssMb: number;
}

/** HTTP status of a GET, or undefined when nothing answers. */
async function status(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? Number.NaN : Number(match[1]) / 1024;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

async function measure(service: Service, variant: Variant): Promise<Measurement> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const [port, metricsPort] = [await freePort(), await freePort()];
  const readyUrl = `http://127.0.0.1:${metricsPort}/health/ready`;
  const startedAt = performance.now();
  const child = spawn(process.execPath, commandLine(service, variant), {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      ORDER_RATE: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${service.name} (${variant}) exited early:\n${log}`);
      if ((await status(readyUrl)) === 200) return await idle(child, performance.now() - startedAt);
      if (performance.now() - startedAt > 60_000)
        throw new Error(`${service.name} (${variant}) not ready in 60 s:\n${log}`);
      await sleep(10);
    }
  } finally {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function idle(child: ChildProcess, readyMs: number): Promise<Measurement> {
  await sleep(IDLE_MS);
  return { readyMs, rssMb: rssMb(child.pid ?? 0) };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

await ensureRuntimeBuilt();
console.log(machine());
console.log(`${ROUNDS} rounds, idle ${IDLE_MS} ms before reading VmRSS`);
const results = new Map<string, Measurement[]>();
for (let round = 0; round < ROUNDS; round++) {
  const variants: Variant[] = round % 2 === 0 ? ['tsx', 'compiled'] : ['compiled', 'tsx'];
  for (const service of SERVICES) {
    for (const variant of variants) {
      const result = await measure(service, variant);
      const key = `${service.name}|${variant}`;
      results.set(key, [...(results.get(key) ?? []), result]);
      console.log(
        `round ${round + 1} ${service.name} ${variant}: ready ${Math.round(result.readyMs)} ms, RSS ${result.rssMb.toFixed(1)} MB`,
      );
    }
  }
}

console.log('\n| process | start-up, tsx | start-up, compiled | idle RSS, tsx | idle RSS, compiled |');
console.log('| --- | --- | --- | --- | --- |');
for (const service of SERVICES) {
  const tsx = results.get(`${service.name}|tsx`) ?? [];
  const compiled = results.get(`${service.name}|compiled`) ?? [];
  const ms = (ms: readonly Measurement[]): string => `${Math.round(median(ms.map((m) => m.readyMs)))} ms`;
  const mb = (ms: readonly Measurement[]): string => `${median(ms.map((m) => m.rssMb)).toFixed(0)} MB`;
  console.log(`| ${service.name} | ${ms(tsx)} | ${ms(compiled)} | ${mb(tsx)} | ${mb(compiled)} |`);
}
