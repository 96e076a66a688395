import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { TOPICS } from '@kafka-monitor/domain';
import { embeddedFiles } from '@kafka-monitor/runtime';
import { waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, freePort, temporaryDirectory } from './helpers.js';

const DOCS = new URL('../docs/metrics.md', import.meta.url);
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

interface DocumentedSeries {
  readonly type: string;
  readonly labels: readonly string[];
}

/**
 * The series of docs/metrics.md: rows of the tables whose first header cell is "series", the name in
 * backticks in the first column, then the type and the labels ("(none)" for none).
 */
function documentedSeries(markdown: string): Map<string, DocumentedSeries> {
  const series = new Map<string, DocumentedSeries>();
  let inSeriesTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      inSeriesTable = false;
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    if (cells[0] === 'series') {
      inSeriesTable = true;
      continue;
    }
    const name = /^`([a-z_:][a-z0-9_:]*)`$/.exec(cells[0] ?? '')?.[1];
    if (!inSeriesTable || name === undefined) continue;
    const labels = cells[2] === '(none)' ? [] : (cells[2] ?? '').split(',').map((label) => label.trim());
    series.set(name, { type: cells[1] ?? '', labels: labels.sort() });
  }
  return series;
}

interface ExposedFamily {
  readonly type: string;
  readonly labels: Set<string>;
}

/** Families of a Prometheus text exposition by `# TYPE` line, with the label names their samples carry. */
function exposedFamilies(text: string): Map<string, ExposedFamily> {
  const families = new Map<string, ExposedFamily>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] !== undefined && type[2] !== undefined) families.set(type[1], { type: type[2], labels: new Set() });
  }
  for (const line of text.split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (sample?.[1] === undefined) continue;
    const name = sample[1];
    const family =
      families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, '')) ?? families.get(`${name}_total`);
    if (family === undefined) continue;
    for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)) {
      if (label !== undefined && !(family.type === 'histogram' && label === 'le')) family.labels.add(label);
    }
  }
  return families;
}

/** The value of one sample (`name{labels}` exactly as exposed), or undefined when it is absent. */
function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const isNodeDefault = (name: string): boolean => name.startsWith('process_') || name.startsWith('nodejs_');

describe('the metrics of a running instance', () => {
  const dir = temporaryDirectory('metrics-');
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    dir.remove();
  });

  it('exports build info, lag under the new names and dead letters, exactly the families of docs/metrics.md', async () => {
    const port = await freePort();
    // The launcher as `npm start` runs it, every service in one process.
    child = spawn(process.execPath, LAUNCHER_ARGS, {
      env: {
        ...process.env,
        DATA_DIR: dir.path,
        PORT: String(port),
        ORDER_RATE: '20',
        KAFKA_CLUSTER_NAME: 'test-cluster',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = once(child, 'exit');
    const base = `http://127.0.0.1:${port}`;
    const get = async (path: string): Promise<string | undefined> => {
      try {
        const response = await fetch(`${base}${path}`);
        return response.ok ? await response.text() : undefined;
      } catch {
        return undefined;
      }
    };
    const bus = createEmbeddedEventBus({ file: embeddedFiles(dir.path).log });
    try {
      await waitFor(
        '/health/ready',
        () => get('/health/ready'),
        (text) => text !== undefined,
        60_000,
      );
      // A poison message on orders: both processors dead-letter it, the monitor collects it.
      await bus.publish(TOPICS.orders, [{ key: 'poison', value: '{"order-id": "broken", ' }]);
      await get('/api/stats');
      const received = 'kafka_monitor_dead_letters_received_total{topic="orders",reason_class="malformed-json"}';
      const text =
        (await waitFor(
          'the dead letter in /metrics',
          () => get('/metrics'),
          (scrape) => scrape !== undefined && sampleValue(scrape, received) === 1,
          60_000,
        )) ?? '';

      expect(
        sampleValue(text, 'kafka_monitor_dead_letters{topic="orders",reason_class="malformed-json",status="pending"}'),
      ).toBe(1);
      const build =
        /^kafka_monitor_build_info\{version="([^"]*)",revision="([^"]*)",nodejs_version="([^"]*)",bus="embedded",store="sqlite"\} 1$/m.exec(
          text,
        );
      expect(build?.[1]).toBe(VERSION);
      // The compiled bundles carry the commit they were built from, or `unknown` outside a git checkout.
      expect(build?.[2]).toMatch(/^([0-9a-f]{7,64}|unknown)$/);
      expect(build?.[3]).toBe(process.version);
      for (const group of ['query-processor', 'registry-processor']) {
        const labels = `cluster_name="test-cluster",group="${group}",topic="orders",partition="0"`;
        expect(sampleValue(text, `kafka_consumergroup_group_lag{${labels}}`), group).toBeGreaterThanOrEqual(0);
        expect(sampleValue(text, `kafka_consumergroup_group_offset{${labels}}`), group).toBeGreaterThan(0);
        expect(
          sampleValue(text, `kafka_consumergroup_group_max_lag_seconds{cluster_name="test-cluster",group="${group}"}`),
        ).toBeGreaterThanOrEqual(0);
      }
      expect(
        sampleValue(text, 'kafka_partition_latest_offset{cluster_name="test-cluster",topic="orders",partition="0"}'),
      ).toBeGreaterThan(0);
      expect(text).not.toMatch(/^kafka_consumergroup_lag|^kafka_monitor_processor_up/m);

      // Every family exposed is documented with its type and labels, and every documented one is exposed:
      // this process runs every service, so it exports the whole catalog.
      const documented = documentedSeries(readFileSync(DOCS, 'utf8'));
      const exposed = exposedFamilies(text);
      const exposedNames = [...exposed.keys()].filter((name) => !isNodeDefault(name)).sort();
      expect(exposedNames).toEqual([...documented.keys()].sort());
      // A counter with labels has no sample, so no labels to read, until its first event: only the
      // resets to the log start, which this run never causes (their labels are checked in
      // packages/pipeline/src/process-metrics.test.ts).
      const withoutEvents = new Set(['kafka_monitor_consumer_offset_resets_total']);
      for (const name of exposedNames) {
        const family = exposed.get(name);
        expect(family?.type, name).toBe(documented.get(name)?.type);
        if (withoutEvents.has(name)) expect(family?.labels.size, name).toBe(0);
        else expect([...(family?.labels ?? [])].sort(), name).toEqual(documented.get(name)?.labels);
      }
      expect(exposed.has('process_cpu_seconds_total') && exposed.has('nodejs_heap_size_total_bytes')).toBe(true);
    } finally {
      await bus.close();
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
