import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@kafka-monitor/testkit';
import { freePort, temporaryDirectory } from './helpers.js';

const launcher = fileURLToPath(new URL('../services/launcher/src/main.ts', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  stderr(): string;
}

/** Processes still running; a test that times out leaves its children behind, so afterAll ends these. */
const running = new Set<ChildProcess>();

/** The launcher as `npm start` runs it, with only the given services and variables. */
function startLauncher(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', launcher], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  void exited.then(() => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return { child, exited, stderr: () => stderr };
}

async function stop(started: Started): Promise<void> {
  if (started.child.exitCode === null && started.child.signalCode === null) started.child.kill('SIGTERM');
  await started.exited;
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function get(url: string): Promise<Answer | undefined> {
  try {
    const response = await fetch(url);
    return { status: response.status, text: await response.text() };
  } catch {
    return undefined;
  }
}

/** The value of one sample line (`name{labels} value`) in a Prometheus text exposition, or 0. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('every process observable on its own', () => {
  const dir = temporaryDirectory('observe-');
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    dir.remove();
  });

  it('a registry processor alone serves live, ready and its own batch histograms on METRICS_PORT', async () => {
    const [generatorPort, registryPort] = [await freePort(), await freePort()];
    const generator = startLauncher({
      DATA_DIR: dir.path,
      SERVICES: 'order-processor',
      ORDER_RATE: '200',
      METRICS_PORT: String(generatorPort),
    });
    const registry = startLauncher({
      DATA_DIR: dir.path,
      SERVICES: 'registry-processor',
      METRICS_PORT: String(registryPort),
    });
    const base = `http://127.0.0.1:${registryPort}`;
    try {
      const live = await waitFor(
        '/health/live answering',
        () => get(`${base}/health/live`),
        (a) => a !== undefined,
        30_000,
      );
      expect(live?.status).toBe(200);
      expect(JSON.parse(live?.text ?? '')).toEqual({ status: 'up' });
      const ready = await waitFor(
        '/health/ready 200',
        () => get(`${base}/health/ready`),
        (a) => a?.status === 200,
        60_000,
      );
      expect(JSON.parse(ready?.text ?? '')).toEqual({ status: 'ready' });
      // The generator starts beside it and may be slower to open the shared files: wait, then check.
      const generatorReady = await waitFor(
        "the generator's /health/ready 200",
        () => get(`http://127.0.0.1:${generatorPort}/health/ready`),
        (a) => a?.status === 200,
        60_000,
      );
      expect(generatorReady?.status).toBe(200);

      const series = 'kafka_monitor_batch_processing_seconds_count{processor="registry-processor"}';
      const scrape = await waitFor(
        'batches observed by the registry processor',
        () => get(`${base}/metrics`),
        (a) => a?.status === 200 && sample(a.text, series) > 0,
        60_000,
      );
      const text = scrape?.text ?? '';
      expect(sample(text, series)).toBeGreaterThan(0);
      const registered = sample(text, 'kafka_monitor_end_to_end_latency_seconds_count{processor="registry-processor"}');
      expect(registered).toBeGreaterThan(0);
      // Each registered order is split into its two hops, once each.
      expect(sample(text, 'kafka_monitor_hop_latency_seconds_count{hop="produced_to_validated"}')).toBe(registered);
      expect(sample(text, 'kafka_monitor_hop_latency_seconds_count{hop="validated_to_registered"}')).toBe(registered);
      expect(text).toContain('process_resident_memory_bytes');
      // Cluster-wide values are the monitor's to export, not every processor's.
      expect(text).not.toContain('kafka_monitor_registered_orders');
      expect(text).not.toContain('http_requests_total');
      // Batches happen in the registry processor, not in the generator's process.
      const generatorScrape = await get(`http://127.0.0.1:${generatorPort}/metrics`);
      expect(sample(generatorScrape?.text ?? '', series)).toBe(0);
      // Every process says what it runs, whatever its services.
      for (const scraped of [text, generatorScrape?.text ?? '']) {
        expect(scraped).toMatch(
          /^kafka_monitor_build_info\{version="[^"]+",revision="[^"]+",nodejs_version="v[^"]+",bus="embedded",store="sqlite"\} 1$/m,
        );
      }

      await stop(registry);
      expect(registry.child.exitCode).toBe(0);
    } finally {
      await Promise.all([stop(registry), stop(generator)]);
    }
  }, 120_000);

  it('answers live and not ready, with the reason, while the bus cannot be reached', async () => {
    const [deadBroker, port] = [await freePort(), await freePort()];
    const waiting = startLauncher({
      DATA_DIR: dir.path,
      BUS: 'kafka',
      KAFKA_BROKERS: `127.0.0.1:${deadBroker}`,
      SERVICES: 'query-processor',
      METRICS_PORT: String(port),
      LOG_LEVEL: 'silent',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      const live = await waitFor(
        '/health/live answering',
        () => get(`${base}/health/live`),
        (a) => a !== undefined,
        30_000,
      );
      expect(live?.status).toBe(200);
      const ready = await get(`${base}/health/ready`);
      expect(ready?.status).toBe(503);
      const body = JSON.parse(ready?.text ?? '{}') as { status: string; reason: string };
      expect(body.status).toBe('down');
      expect(body.reason.length).toBeGreaterThan(0);
      expect((await get(`${base}/metrics`))?.status).toBe(200);
    } finally {
      await stop(waiting);
    }
  }, 60_000);

  it('exits 1 with one line naming METRICS_PORT when the port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const address = blocker.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const taken = startLauncher({
        DATA_DIR: dir.path,
        SERVICES: 'query-processor',
        METRICS_PORT: String(address.port),
      });
      const [code] = await taken.exited;
      expect(code).toBe(1);
      const lines = taken.stderr().trim().split('\n');
      expect(lines).toEqual([
        `kafka-monitor: cannot listen on 127.0.0.1:${address.port} (METRICS_PORT): address in use`,
      ]);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
