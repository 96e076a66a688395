/**
 * `npm run soak`: the pipeline as `npm start` runs it, on a temporary DATA_DIR with a short log
 * retention, under the generator's steady rate for a bounded time. Every SOAK_SAMPLE_MS it samples
 * the process's RSS, heap used, event-loop delay (p99), the disk use of the embedded log and store,
 * and the total consumer lag. It fails (exit 1) when, after the warm-up, RSS, heap or event-loop
 * delay grow beyond the tolerance, when the log takes more disk than its retention allows, or when
 * the lag does not return to 0 after the generator stops. The samples go to .tmp/soak-samples.json.
 *
 * Settings (environment): SOAK_SECONDS (600), SOAK_RATE orders/s (2000), SOAK_SAMPLE_MS (5000),
 * SOAK_WARMUP (fraction of the run left out of the growth checks, 0.3), SOAK_GROWTH_TOLERANCE
 * (0.25), SOAK_RETENTION_MS (60000), SOAK_DRAIN_SECONDS (60), SOAK_PORT (18900).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log, machine, root, startPipeline, waitForHttp } from './common.js';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative number`);
  return value;
}

const SECONDS = setting('SOAK_SECONDS', 600);
const RATE = setting('SOAK_RATE', 2_000);
const SAMPLE_MS = setting('SOAK_SAMPLE_MS', 5_000);
const WARMUP = setting('SOAK_WARMUP', 0.3);
const TOLERANCE = setting('SOAK_GROWTH_TOLERANCE', 0.25);
const RETENTION_MS = setting('SOAK_RETENTION_MS', 60_000);
const CHECK_INTERVAL_MS = 5_000;
const DRAIN_SECONDS = setting('SOAK_DRAIN_SECONDS', 60);
const PORT = setting('SOAK_PORT', 18_900);
const STATUS_CACHE_MS = 1_100;
/**
 * Bytes the embedded log keeps per order: the order on `orders` and its registration on `registry`,
 * rows and index entries (measured about 1.3 KB; rounded up so page slack does not fail a run).
 */
const LOG_BYTES_PER_ORDER = 2_048;
/**
 * Bytes the snapshots of `orders` and `registry` keep per order once retention folded it (decision
 * 19; `scripts/bench/snapshot-size.ts` measured about 510 with time-ordered ids; rounded up). They
 * grow with the orders, as the store does: the bound allows them for every order of the run.
 */
const SNAPSHOT_BYTES_PER_ORDER = 768;
/** The log's write-ahead file may hold this much before the background checkpoints' backstop (decision 7). */
const WAL_ALLOWANCE_BYTES = 64 * 2 ** 20;
/**
 * Event-loop delay is noisy on a shared machine: its growth counts only when it also rose by this
 * much, so a few milliseconds more on a small figure do not fail a run.
 */
const LOOP_DELAY_FLOOR_MS = 50;

interface Sample {
  readonly at: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly loopDelayP99Ms: number;
  readonly logMb: number;
  readonly storeMb: number;
  readonly lag: number;
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Number(match[1]) / 1024;
}

/** Bytes of the files in `dir` whose names start with `prefix` (the database, its WAL and shared memory). */
function bytesOf(dir: string, prefix: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // Removed between the listing and the stat (a checkpoint truncating the WAL).
    }
  }
  return total;
}

function gauge(metrics: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(metrics);
  return match === null ? Number.NaN : Number(match[1]);
}

async function totalLag(port: number): Promise<number> {
  const body = (await (await fetch(`http://127.0.0.1:${port}/api/processors/status`)).json()) as {
    data: { processors: { 'consumer-group': { lag: number } | null }[] };
  };
  return body.data.processors.reduce((sum, p) => sum + (p['consumer-group']?.lag ?? 0), 0);
}

async function ordersProcessed(port: number): Promise<number> {
  const body = (await (await fetch(`http://127.0.0.1:${port}/api/stats`)).json()) as {
    data: { 'query-processor': { 'total-orders': number } };
  };
  return body.data['query-processor']['total-orders'];
}

async function setOrderRate(port: number, rate: number): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/api/generator`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ 'order-rate': rate }),
  });
  if (!response.ok) throw new Error(`PUT /api/generator answered ${response.status}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median of the last third of the post-warm-up samples against the median of their first third. */
function growth(
  samples: readonly Sample[],
  pick: (s: Sample) => number,
): { first: number; last: number; ratio: number } {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = median(samples.slice(0, third).map(pick));
  const last = median(samples.slice(-third).map(pick));
  return { first, last, ratio: first > 0 ? last / first - 1 : 0 };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'soak-'));
  const failures: string[] = [];
  const samples: Sample[] = [];
  log(`machine: ${machine()}`);
  log(
    `soak: ${SECONDS} s at ${RATE} orders/s, a sample every ${SAMPLE_MS} ms, warm-up ${WARMUP * 100} %, ` +
      `tolerance ${TOLERANCE * 100} %, LOG_RETENTION_MS=${RETENTION_MS}, DATA_DIR ${dataDir}`,
  );
  const pipeline = startPipeline(
    {
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      ORDER_RATE: '0',
      LOG_RETENTION_MS: String(RETENTION_MS),
      LOG_RETENTION_CHECK_INTERVAL_MS: String(CHECK_INTERVAL_MS),
      DISK_WARN_FREE_MB: '0',
    },
    PORT,
  );
  const pid = pipeline.child.pid;
  let drainedAfterS: number | null = null;
  let processed: number | undefined;
  try {
    if (pid === undefined) throw new Error('the pipeline did not start');
    await waitForHttp(`http://127.0.0.1:${PORT}/api/stats`);
    const sample = async (at: number): Promise<Sample> => {
      const metrics = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
      return {
        at: Math.round(at / 100) / 10,
        rssMb: Number(rssMb(pid).toFixed(1)),
        heapUsedMb: Number((gauge(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20).toFixed(1)),
        loopDelayP99Ms: Number((gauge(metrics, 'nodejs_eventloop_lag_p99_seconds') * 1000).toFixed(1)),
        logMb: Number((bytesOf(dataDir, 'log.db') / 2 ** 20).toFixed(1)),
        storeMb: Number((bytesOf(dataDir, 'store.db') / 2 ** 20).toFixed(1)),
        lag: await totalLag(PORT),
      };
    };
    await setOrderRate(PORT, RATE);
    const started = performance.now();
    for (let next = SAMPLE_MS; next <= SECONDS * 1000; next += SAMPLE_MS) {
      await sleep(Math.max(0, next - (performance.now() - started)));
      const s = await sample(performance.now() - started);
      samples.push(s);
      log(
        `${s.at.toFixed(0)} s: RSS ${s.rssMb} MB, heap ${s.heapUsedMb} MB, loop p99 ${s.loopDelayP99Ms} ms, ` +
          `log ${s.logMb} MB, store ${s.storeMb} MB, lag ${s.lag}`,
      );
    }
    await setOrderRate(PORT, 0);
    const stopped = performance.now();
    // The status reader keeps a reading of the groups for up to 1 s: only a newer one counts.
    await sleep(STATUS_CACHE_MS);
    while (performance.now() - stopped < DRAIN_SECONDS * 1000) {
      if ((await totalLag(PORT)) === 0) {
        drainedAfterS = Number(((performance.now() - stopped) / 1000).toFixed(1));
        break;
      }
      await sleep(250);
    }
    processed = await ordersProcessed(PORT);
    if (drainedAfterS === null) {
      failures.push(
        `lag ${await totalLag(PORT)} did not return to 0 within ${DRAIN_SECONDS} s of the generator stopping`,
      );
    }
  } finally {
    await pipeline.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const steady = samples.filter((s) => s.at >= SECONDS * WARMUP);
  // Three samples at least in each third, so one sample at the top of a collection cycle does not decide.
  if (steady.length < 9)
    failures.push(`only ${steady.length} samples after the warm-up: run longer or sample more often`);
  const rss = growth(steady, (s) => s.rssMb);
  const heap = growth(steady, (s) => s.heapUsedMb);
  const loop = growth(steady, (s) => s.loopDelayP99Ms);
  if (rss.ratio > TOLERANCE)
    failures.push(`RSS grew ${(rss.ratio * 100).toFixed(0)} % after the warm-up (${rss.first} → ${rss.last} MB)`);
  if (heap.ratio > TOLERANCE)
    failures.push(`heap grew ${(heap.ratio * 100).toFixed(0)} % after the warm-up (${heap.first} → ${heap.last} MB)`);
  if (loop.ratio > TOLERANCE && loop.last - loop.first > LOOP_DELAY_FLOOR_MS) {
    failures.push(
      `event-loop delay p99 grew ${(loop.ratio * 100).toFixed(0)} % after the warm-up (${loop.first} → ${loop.last} ms)`,
    );
  }
  // What retention allows: the orders of one retention period and one check interval, plus the WAL,
  // plus the snapshots of every order of the run.
  const logBoundMb =
    (RATE * ((RETENTION_MS + CHECK_INTERVAL_MS) / 1000) * LOG_BYTES_PER_ORDER +
      RATE * SECONDS * SNAPSHOT_BYTES_PER_ORDER +
      WAL_ALLOWANCE_BYTES) /
    2 ** 20;
  const logPeakMb = Math.max(0, ...samples.map((s) => s.logMb));
  if (logPeakMb > logBoundMb) {
    failures.push(`the log took ${logPeakMb} MB, above the ${logBoundMb.toFixed(0)} MB its retention allows`);
  }
  const lagPeak = Math.max(0, ...samples.map((s) => s.lag));
  // The generator's rate is a target: a machine that cannot keep up produces and processes less.
  processed ??= 0;
  if (processed < RATE * SECONDS * 0.9) {
    failures.push(
      `${processed} orders processed in ${SECONDS} s: below 90 % of ${RATE}/s, the pipeline did not keep up`,
    );
  }

  const summary = {
    seconds: SECONDS,
    rate: RATE,
    sampleMs: SAMPLE_MS,
    retentionMs: RETENTION_MS,
    warmupSeconds: SECONDS * WARMUP,
    tolerance: TOLERANCE,
    rssMb: rss,
    heapUsedMb: heap,
    loopDelayP99Ms: { ...loop, max: Math.max(0, ...steady.map((s) => s.loopDelayP99Ms)) },
    logPeakMb,
    logBoundMb: Number(logBoundMb.toFixed(1)),
    storeEndMb: samples.at(-1)?.storeMb ?? 0,
    ordersProcessed: processed,
    ordersPerSecond: Math.round(processed / SECONDS),
    lagPeak,
    lagZeroAfterSeconds: drainedAfterS,
    failures,
  };
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const file = join(root, '.tmp/soak-samples.json');
  writeFileSync(
    file,
    `${JSON.stringify({ machine: machine(), measuredAt: new Date().toISOString(), summary, samples }, null, 2)}\n`,
  );
  console.table({
    'RSS, first → last third after warm-up (MB)': `${rss.first} → ${rss.last} (${(rss.ratio * 100).toFixed(1)} %)`,
    'heap used (MB)': `${heap.first} → ${heap.last} (${(heap.ratio * 100).toFixed(1)} %)`,
    'event-loop delay p99 (ms)': `${loop.first.toFixed(1)} → ${loop.last.toFixed(1)}, max ${summary.loopDelayP99Ms.max}`,
    'log file + WAL, peak (MB)': `${logPeakMb} (bound ${summary.logBoundMb})`,
    'store file + WAL at the end (MB)': summary.storeEndMb,
    'orders processed (per second of the run)': `${processed} (${summary.ordersPerSecond})`,
    'total lag, peak while producing': lagPeak,
    'lag 0 after the generator stopped (s)': drainedAfterS ?? `not within ${DRAIN_SECONDS}`,
  });
  log(`wrote ${file}`);
  if (failures.length > 0) {
    for (const failure of failures) console.error(`[soak] FAILED: ${failure}`);
    process.exitCode = 1;
  } else log('passed');
}

await main();
