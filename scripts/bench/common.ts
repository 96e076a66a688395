/**
 * What `npm run bench` and `npm run bench:engines` share: the pipeline process, the end-to-end drain,
 * the latency histogram read from /metrics, the API load, peak RSS, and the results file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { GROUPS, generateOrder } from '@kafka-monitor/domain';
import type { EventBus, ProducedOrderStore } from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { newTimeOrderedId } from '@kafka-monitor/runtime';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const LATENCY_RATE = 1_000;

export function log(message: string): void {
  console.log(`[bench] ${message}`);
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** A deterministic order source, so two runs process the same orders. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/**
 * Order ids as the services make them (time-ordered, decision 10), or random version-4 UUIDs with
 * BENCH_ORDER_IDS=random, as another producer publishing ids of its own could send, to compare the two.
 */
export const benchOrderId: () => string = process.env.BENCH_ORDER_IDS === 'random' ? randomUUID : newTimeOrderedId;

/**
 * Publishes `count` generated orders through the producer path, 1,000 at a time, timestamped in the
 * milliseconds before now. Drawn from one seed, so every run processes the same orders.
 */
export async function seedBacklog(bus: EventBus, produced: ProducedOrderStore, count: number): Promise<void> {
  const random = seededRandom(42);
  const now = Date.now();
  for (let i = 0; i < count; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - i) }, (_, j) =>
      generateOrder(random, { orderId: benchOrderId(), timestamp: now - count + i + j }, 0.1),
    );
    await produceOrders(bus, produced, batch);
  }
}

export interface Pipeline {
  readonly child: ChildProcess;
  readonly port: number;
  /** Peak resident set of the pipeline process so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/**
 * The whole pipeline as `npm start` runs it (compiled, built first if stale, with its V8 flag), in its
 * own process (so its RSS is its own), optionally writing a V8 CPU profile to `profileDir`; the launcher
 * of another `checkout` (with its dependencies installed) to compare against.
 */
export function startPipeline(
  env: Record<string, string>,
  port: number,
  profileDir?: string,
  checkout: string = root,
): Pipeline {
  execFileSync(process.execPath, [join(checkout, 'scripts/build.mjs')], { stdio: 'inherit' });
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const launcher = join(checkout, 'dist/app/launcher.js');
  const child = spawn(process.execPath, [...profile, '--no-allocation-site-pretenuring', launcher], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    port,
    peakRssMb() {
      if (child.pid === undefined) return 0;
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match === null ? 0 : Number(match[1]) / 1024;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function waitForHttp(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Waits until `done()` reports every order processed and returns orders per second, timed from the
 * first visible progress (so process start-up and schema checks are not counted as processing).
 */
export async function measureDrain(
  orders: number,
  progress: () => Promise<{ views: number; registered: number }>,
  timeoutMs = 900_000,
): Promise<number> {
  const start = performance.now();
  let firstProgressAt: number | undefined;
  let lastReport = start;
  for (;;) {
    const { views, registered } = await progress();
    if (firstProgressAt === undefined && views + registered > 0) firstProgressAt = performance.now();
    if (views >= orders && registered >= orders) break;
    if (performance.now() - lastReport > 10_000) {
      log(`  … views ${views}, registered ${registered} of ${orders}`);
      lastReport = performance.now();
    }
    if (performance.now() - start > timeoutMs) {
      throw new Error(`backlog not drained in ${timeoutMs / 1000} s (views ${views}, registered ${registered})`);
    }
    await sleep(20);
  }
  return orders / ((performance.now() - (firstProgressAt ?? start)) / 1000);
}

export interface ApiFigures {
  statsReqPerSec: number;
  statsP99Ms: number;
  timelineReqPerSec: number;
  timelineP99Ms: number;
}

export async function measureApi(port: number, seconds: number): Promise<ApiFigures> {
  const figures: Record<string, number> = {};
  for (const [key, path] of [
    ['stats', '/api/stats'],
    ['timeline', '/api/timeline?limit=100'],
  ] as const) {
    log(`autocannon ${path} for ${seconds} s, 10 connections`);
    const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 10, duration: seconds });
    if (result.errors > 0 || result.non2xx > 0) {
      throw new Error(`${path}: ${result.errors} errors, ${result.non2xx} non-2xx`);
    }
    figures[`${key}ReqPerSec`] = Math.round(result.requests.average);
    figures[`${key}P99Ms`] = result.latency.p99;
  }
  return {
    statsReqPerSec: figures.statsReqPerSec ?? 0,
    statsP99Ms: figures.statsP99Ms ?? 0,
    timelineReqPerSec: figures.timelineReqPerSec ?? 0,
    timelineP99Ms: figures.timelineP99Ms ?? 0,
  };
}

interface Buckets {
  readonly le: number[];
  readonly counts: number[];
}

/** Cumulative histogram buckets of one series (`label` = `value`) from a Prometheus exposition. */
function histogram(text: string, name: string, value: string, label = 'processor'): Buckets {
  const le: number[] = [];
  const counts: number[] = [];
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)",${label}="${value}"\\} (\\d+)`, 'gm');
  for (const match of text.matchAll(pattern)) {
    le.push(match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]));
    counts.push(Number(match[2]));
  }
  return { le, counts };
}

/** Quantile of the observations between two scrapes, interpolated within a bucket as histogram_quantile does. */
export function quantile(before: Buckets, after: Buckets, q: number): number {
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

/** p50 and p99 of one latency series, in milliseconds. */
export interface Percentiles {
  p50: number;
  p99: number;
}

export interface LatencyFigures {
  /** From the order's timestamp to the views applied (the query processor). */
  p50LatencyMs: number;
  p99LatencyMs: number;
  latencyOrdersObserved: number;
  /** From the order's timestamp to its registration (the registry processor), and its two hops. */
  registered: Percentiles;
  producedToValidated: Percentiles;
  validatedToRegistered: Percentiles;
}

async function setOrderRate(port: number, rate: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/api/generator`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ 'order-rate': rate }),
  });
  if (!response.ok) throw new Error(`PUT /api/generator answered ${response.status}`);
}

/**
 * Order timestamp → view durable, from the `kafka_monitor_end_to_end_latency_seconds` histogram of
 * the query processor, while the generator produces LATENCY_RATE orders per second.
 */
export async function measureLatency(
  port: number,
  seconds: number,
  options: { mustKeepUp: boolean },
): Promise<LatencyFigures> {
  log(`end-to-end latency at ${LATENCY_RATE} orders/s for ${seconds} s`);
  const scrape = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return {
      applied: histogram(text, 'kafka_monitor_end_to_end_latency_seconds', GROUPS.queryProcessor),
      registered: histogram(text, 'kafka_monitor_end_to_end_latency_seconds', GROUPS.registryProcessor),
      producedToValidated: histogram(text, 'kafka_monitor_hop_latency_seconds', 'produced_to_validated', 'hop'),
      validatedToRegistered: histogram(text, 'kafka_monitor_hop_latency_seconds', 'validated_to_registered', 'hop'),
    };
  };
  await setOrderRate(port, LATENCY_RATE);
  // Warm-up: the first second includes the generator's start and the consumers' first fetches.
  await sleep(2_000);
  const scraped = await scrape();
  await sleep(seconds * 1000);
  const scrapedAfter = await scrape();
  await setOrderRate(port, 0);
  const before = scraped.applied;
  const after = scrapedAfter.applied;
  const ms = (b: Buckets, a: Buckets, q: number) => Number((quantile(b, a, q) * 1000).toFixed(1));
  const percentiles = (series: keyof typeof scraped): Percentiles => ({
    p50: ms(scraped[series], scrapedAfter[series], 0.5),
    p99: ms(scraped[series], scrapedAfter[series], 0.99),
  });
  const observed = (after.counts.at(-1) ?? 0) - (before.counts.at(-1) ?? 0);
  if (observed < LATENCY_RATE * seconds * 0.9) {
    const message = `only ${observed} orders observed in ${seconds} s at ${LATENCY_RATE}/s: the pipeline fell behind`;
    if (options.mustKeepUp) throw new Error(message);
    // The latencies then include the growing queue; they are reported as measured, with this warning.
    log(`WARNING: ${message}`);
  }
  return {
    p50LatencyMs: ms(before, after, 0.5),
    p99LatencyMs: ms(before, after, 0.99),
    latencyOrdersObserved: observed,
    registered: percentiles('registered'),
    producedToValidated: percentiles('producedToValidated'),
    validatedToRegistered: percentiles('validatedToRegistered'),
  };
}

/**
 * Writes bench-results.json, keeping the sections another bench wrote (`npm run bench` owns
 * `embedded` and `api`, `npm run bench:engines` owns `engines`), each stamped with its machine and time.
 */
const RESULT_SECTIONS = new Set(['embedded', 'api', 'embeddedRun', 'engines', 'enginesRun', 'tracing', 'tracingRun']);

export function writeResults(sections: Record<string, unknown>): void {
  const file = join(root, 'bench-results.json');
  let existing: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      existing = {};
    }
  }
  // Only the known sections survive, so a file written by an older layout does not linger in part.
  const kept = Object.fromEntries(Object.entries(existing).filter(([key]) => RESULT_SECTIONS.has(key)));
  writeFileSync(file, `${JSON.stringify({ ...kept, ...sections }, null, 2)}\n`);
  log(`wrote ${file}`);
}
