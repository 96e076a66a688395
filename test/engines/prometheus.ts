import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@kafka-monitor/testkit';
import { freePort } from '../helpers.js';

/*
 * A real Prometheus server for the engine and chaos tests: the binary scripts/prometheus-tools.sh
 * builds from the Go module proxy, bound to 127.0.0.1 on a free port, scraping the targets a test
 * gives it (file-based discovery, one file per job, rewritten as processes come and go) and
 * evaluating the project's alert rules; asked through its HTTP API.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** The shipped alerting and recording rules. */
export const ALERT_RULES = join(root, 'deploy/prometheus/alerts.yml');

/**
 * The Prometheus binary: `PROMETHEUS_BIN` when set, else the one scripts/prometheus-tools.sh built
 * (building it first if it is missing, which takes minutes on a cold Go cache).
 */
export async function prometheusBinary(): Promise<string> {
  const given = process.env.PROMETHEUS_BIN;
  if (given !== undefined && given !== '') return given;
  const { stdout } = await run('bash', [join(root, 'scripts/prometheus-tools.sh'), 'prometheus'], {
    timeout: 20 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const path = stdout.trim().split('\n').at(-1);
  if (path === undefined || path === '') throw new Error('scripts/prometheus-tools.sh printed no path');
  return path;
}

export interface PrometheusOptions {
  /** Where the configuration, the target files, the TSDB and the log go. */
  readonly directory: string;
  /** Scrape jobs; each reads its targets from a file that `setTargets` writes. */
  readonly jobs: readonly string[];
  readonly ruleFiles?: readonly string[];
  /** Scrape and rule evaluation interval. */
  readonly intervalSeconds?: number;
}

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
}

export interface RuleHealth {
  readonly group: string;
  readonly name: string;
  readonly health: string;
  /** Empty when the last evaluation succeeded. */
  readonly lastError: string;
}

export interface Prometheus {
  readonly url: string;
  readonly logFile: string;
  /** Replaces the targets (`host:port`) of a job; Prometheus picks the file up within a second. */
  setTargets(job: string, addresses: readonly string[]): void;
  /** An instant query; throws with Prometheus's error when the query fails. */
  query(expr: string): Promise<Sample[]>;
  /** Pending and firing alerts (a resolved alert is no longer listed). */
  alerts(): Promise<ActiveAlert[]>;
  /** Every rule with the health of its last evaluation. */
  rules(): Promise<RuleHealth[]>;
  /** The scrape targets known, with their health. */
  targets(): Promise<{ job: string; instance: string; health: string; lastError: string }[]>;
  stop(): Promise<void>;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

function configuration(options: PrometheusOptions, targetsFile: (job: string) => string): string {
  const interval = `${options.intervalSeconds ?? 1}s`;
  // JSON is YAML: no serializer needed, and every path is quoted.
  return JSON.stringify(
    {
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      rule_files: options.ruleFiles ?? [],
      scrape_configs: options.jobs.map((job) => ({
        job_name: job,
        file_sd_configs: [{ files: [targetsFile(job)], refresh_interval: '1s' }],
      })),
    },
    null,
    2,
  );
}

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const binary = await prometheusBinary();
  mkdirSync(options.directory, { recursive: true });
  const targetsFile = (job: string): string => join(options.directory, `targets-${job}.json`);
  const setTargets = (job: string, addresses: readonly string[]): void => {
    if (!options.jobs.includes(job)) throw new Error(`no scrape job ${job}`);
    // Written aside and renamed, so Prometheus never reads half a file.
    const file = targetsFile(job);
    writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: addresses, labels: {} }]));
    renameSync(`${file}.tmp`, file);
  };
  for (const job of options.jobs) setTargets(job, []);
  const configFile = join(options.directory, 'prometheus.yml');
  writeFileSync(configFile, configuration(options, targetsFile));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(options.directory, 'prometheus.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.directory, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = once(child, 'exit');
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));

  async function get<T>(path: string): Promise<T> {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as ApiAnswer<T>;
    if (body.status !== 'success' || body.data === undefined)
      throw new Error(`Prometheus ${path}: ${body.errorType ?? response.status} ${body.error ?? ''}`.trim());
    return body.data;
  }

  await waitFor(
    `Prometheus ready on ${url} (log: ${logFile})`,
    async () => {
      if (exitedEarly) throw new Error(`Prometheus exited at start; see ${logFile}`);
      try {
        return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).status;
      } catch {
        return 0;
      }
    },
    (status) => status === 200,
    60_000,
  );

  return {
    url,
    logFile,
    setTargets,
    async query(expr) {
      const data = await get<{
        resultType: string;
        result: { metric: Record<string, string>; value: [number, string] }[];
      }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      if (data.resultType !== 'vector') return [];
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async alerts() {
      return (await get<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts;
    },
    async rules() {
      const data = await get<{
        groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
      }>('/api/v1/rules');
      return data.groups.flatMap((group) =>
        group.rules.map((rule) => ({
          group: group.name,
          name: rule.name,
          health: rule.health,
          lastError: rule.lastError ?? '',
        })),
      );
    },
    async targets() {
      const data = await get<{
        activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
      }>('/api/v1/targets?state=active');
      return data.activeTargets.map((t) => ({
        job: t.labels.job ?? '',
        instance: t.labels.instance ?? '',
        health: t.health,
        lastError: t.lastError,
      }));
    },
    async stop() {
      if (exitedEarly) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * The port of a process's health and metrics server, read from its log: with `METRICS_PORT=0` it
 * listens on any free port and says which in its `health and metrics listening` line (at level info).
 * Resolves with the first such line of `output` (pino's JSON lines).
 */
export function metricsPortFrom(output: Readable, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer | string): void => {
      buffer += chunk.toString();
      let end = buffer.indexOf('\n');
      while (end >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        const port = listeningPort(line);
        if (port !== undefined) {
          done();
          resolve(port);
          return;
        }
        end = buffer.indexOf('\n');
      }
    };
    const onEnd = (): void => {
      done();
      reject(new Error('the process ended before logging its metrics port'));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no "health and metrics listening" line within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      output.off('data', onData);
      output.off('end', onEnd);
    }
    output.on('data', onData);
    output.once('end', onEnd);
  });
}

/** The port of a `health and metrics listening` log line, or undefined for any other line. */
export function listeningPort(line: string): number | undefined {
  if (!line.includes('health and metrics listening')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return entry.msg === 'health and metrics listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface AlertWatch {
  /** Every change of state seen, the first poll included; `at` is when the poll saw it (±250 ms). */
  readonly transitions: readonly { at: number; state: AlertState }[];
  state(): AlertState;
  /** Resolves with the first time at or after `since` the alert was seen in `state`. */
  until(state: AlertState, since: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Follows one alert (the active alert whose labels include all of `labels`) by polling
 * /api/v1/alerts every `intervalMs`, and keeps its changes of state. A failed poll is retried.
 */
export function watchAlert(
  prometheus: Pick<Prometheus, 'alerts'>,
  labels: Readonly<Record<string, string>>,
  intervalMs = 250,
): AlertWatch {
  const transitions: { at: number; state: AlertState }[] = [];
  let running = true;
  const matches = (alert: ActiveAlert): boolean =>
    Object.entries(labels).every(([name, value]) => alert.labels[name] === value);
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const found = (await prometheus.alerts()).find(matches);
        const state: AlertState = found?.state ?? 'inactive';
        if (transitions.at(-1)?.state !== state) transitions.push({ at, state });
      } catch {
        // Prometheus busy or restarting: the next poll tells.
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - at)));
    }
  })();
  return {
    transitions,
    state: () => transitions.at(-1)?.state ?? 'inactive',
    async until(state, since, timeoutMs) {
      const seen = await waitFor(
        `alert ${JSON.stringify(labels)} ${state}`,
        () => transitions.find((t) => t.at >= since && t.state === state),
        (found) => found !== undefined,
        timeoutMs,
      );
      return seen?.at ?? Date.now();
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
