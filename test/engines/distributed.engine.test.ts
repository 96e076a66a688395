import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GROUPS,
  TOPICS,
  deadLetterTopic,
  decodeOrder,
  generateOrder,
  registryStatusOf,
  validateOrder,
  type Order,
} from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { loadConfig, openInfrastructure, type Environment } from '@kafka-monitor/runtime';
import { expectedViews, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, freePort, temporaryDirectory } from '../helpers.js';
import { dashboardQueries, documentedSeries } from '../observability/catalog.js';
import { ALERT_RULES, listeningPort, startPrometheus, type Prometheus } from './prometheus.js';

const brokers = process.env.KAFKA_BROKERS;
if (brokers === undefined || brokers === '')
  throw new Error('KAFKA_BROKERS must name the broker (npm run test:engines sets it)');

const ORDERS = 20_000;
const INSTANCES = 3;
/** The scrape jobs of deploy/prometheus/prometheus.yml, one per service, which the alert rules select on. */
const JOBS = ['monitor', 'query-processor', 'registry-processor'] as const;

/**
 * Every service in its own process on real Kafka and Cassandra: 3 query-processor and 3
 * registry-processor instances, one of each SIGKILLed and restarted while 20,000 orders flow, and a
 * monitor. A real Prometheus (scripts/prometheus-tools.sh) scrapes every process each second and
 * evaluates deploy/prometheus/alerts.yml; at the end, through its HTTP API, every series of
 * docs/metrics.md is there with its labels, every query of the Grafana dashboard evaluates without
 * error, every rule evaluates and every target is up.
 */
describe('distributed pipeline on Kafka + Cassandra: 3 + 3 instances, kills and restarts', () => {
  const dir = temporaryDirectory('distributed-');
  const children = new Set<ChildProcess>();
  const environment: Environment = {
    ...process.env,
    BUS: 'kafka',
    KAFKA_BROKERS: brokers,
    STORE: 'cassandra',
    // Fresh keyspaces for this run, so a shared cluster's earlier data cannot leak into the comparison.
    CASSANDRA_KEYSPACE_PREFIX: `e2e${Date.now().toString(36)}_`,
    DATA_DIR: dir.path,
    LOG_LEVEL: 'warn',
  };

  let prometheus: Prometheus | undefined;
  /** Scrape targets by job and process id; a process leaves its job when it exits. */
  const targets = new Map<string, Map<string, string>>(JOBS.map((job) => [job, new Map()]));
  const publishTargets = (job: string): void => prometheus?.setTargets(job, [...(targets.get(job)?.values() ?? [])]);

  /**
   * Starts a service at LOG_LEVEL=info, for the line that says which port METRICS_PORT=0 gave its
   * health and metrics server (the scrape target), and passes on to stdout only its warnings and
   * errors: a processor that keeps failing a batch shows up here.
   */
  function startProcess(job: (typeof JOBS)[number], id: string, env: Environment): ChildProcess {
    const child = spawn(process.execPath, LAUNCHER_ARGS, {
      env: { ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const port = listeningPort(line);
      if (port !== undefined && job !== 'monitor') {
        targets.get(job)?.set(id, `127.0.0.1:${port}`);
        publishTargets(job);
      }
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level === undefined || Number(level) >= 40) process.stdout.write(`${line}\n`);
    });
    child.once('exit', () => {
      children.delete(child);
      if (targets.get(job)?.delete(id) === true) publishTargets(job);
    });
    return child;
  }

  function startInstance(service: 'query-processor' | 'registry-processor', id: string): ChildProcess {
    // Several processes on one host: each health and metrics server on any free port.
    return startProcess(service, id, { ...environment, SERVICES: service, PROCESSOR_ID: id, METRICS_PORT: '0' });
  }

  /** The monitor, serving /metrics on its API port. */
  async function startMonitor(): Promise<void> {
    const port = await freePort();
    // No METRICS_PORT (spawn leaves undefined variables out): no second server.
    startProcess('monitor', 'monitor', {
      ...environment,
      SERVICES: 'monitor',
      PORT: String(port),
      METRICS_PORT: undefined,
    });
    targets.get('monitor')?.set('monitor', `127.0.0.1:${port}`);
    publishTargets('monitor');
  }

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await prometheus?.stop();
    await sleep(200);
    dir.remove();
  });

  it(`loses nothing and counts nothing twice with ${INSTANCES}+${INSTANCES} instances and kills`, async () => {
    const infrastructure = await openInfrastructure(loadConfig(environment));
    const { bus, store } = infrastructure;
    try {
      prometheus = await startPrometheus({
        directory: join(dir.path, 'prometheus'),
        jobs: JOBS,
        ruleFiles: [ALERT_RULES],
        intervalSeconds: 1,
      });
      await startMonitor();
      const query = Array.from({ length: INSTANCES }, (_, i) => startInstance('query-processor', `query-${i}`));
      const registry = Array.from({ length: INSTANCES }, (_, i) =>
        startInstance('registry-processor', `registry-${i}`),
      );
      await waitFor(
        'all six instances heartbeating',
        async () => (await store.control.liveInstances(Date.now() - 10_000)).length,
        (n) => n >= 2 * INSTANCES,
        90_000,
      );

      let seed = 99;
      const random = (): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      const produced: Order[] = [];
      let killed = false;
      for (let i = 0; i < ORDERS; i += 500) {
        const batch = Array.from({ length: 500 }, (_, j) =>
          generateOrder(random, { orderId: randomUUID(), timestamp: Date.now() + i + j }, 0.1),
        );
        await produceOrders(bus, store.produced, batch);
        produced.push(...batch);
        if (!killed && i >= ORDERS / 3) {
          // Mid-run: kill one instance of each processor without warning, then bring it back.
          killed = true;
          for (const victim of [query[0], registry[0]]) {
            const exited = victim === undefined ? Promise.resolve() : once(victim, 'exit');
            victim?.kill('SIGKILL');
            await exited;
          }
          await sleep(1_000);
          query[0] = startInstance('query-processor', 'query-0-restarted');
          registry[0] = startInstance('registry-processor', 'registry-0-restarted');
        }
        await sleep(50);
      }

      const ids = new Set(produced.map((o) => o.orderId));
      await waitFor(
        'every order registered and counted',
        async () => [(await store.views.totals()).totalOrders, (await store.registry.totals()).registeredCount],
        ([views, registered]) => (views ?? 0) >= ORDERS && (registered ?? 0) >= ORDERS,
        240_000,
      );
      for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
        const topics = group === GROUPS.queryProcessor ? [TOPICS.orders] : [TOPICS.orders, TOPICS.registry];
        await waitFor(
          `${group} lag 0`,
          async () => (await bus.describeGroup(group, topics)).lag.reduce((s, p) => s + p.lag, 0),
          (lag) => lag === 0,
          120_000,
        );
      }

      // Recompute from the orders topic itself (the messages of this run).
      const fromLog: Order[] = [];
      const info = (await bus.listTopics()).find((t) => t.name === TOPICS.orders);
      for (let partition = 0; partition < (info?.partitions ?? 0); partition++) {
        for (let offset = 0; ;) {
          const page = await bus.read(TOPICS.orders, partition, offset, 5_000);
          if (page.length === 0) break;
          for (const message of page) {
            const decoded = decodeOrder(Buffer.from(message.value).toString('utf8'));
            if (decoded.ok && ids.has(decoded.value.orderId)) fromLog.push(decoded.value);
          }
          offset = (page.at(-1)?.offset ?? offset) + 1;
        }
      }
      // Registry messages of this run, republished ones included: the registry processor counts each once.
      let registryMessages = 0;
      const registryInfo = (await bus.listTopics()).find((t) => t.name === TOPICS.registry);
      for (let partition = 0; partition < (registryInfo?.partitions ?? 0); partition++) {
        for (let offset = 0; ;) {
          const page = await bus.read(TOPICS.registry, partition, offset, 5_000);
          if (page.length === 0) break;
          registryMessages += page.filter((m) => m.key !== null && ids.has(m.key)).length;
          offset = (page.at(-1)?.offset ?? offset) + 1;
        }
      }
      const queryStats = await store.views.processingStats(GROUPS.queryProcessor);
      const registryStats = await store.registry.processingStats(GROUPS.registryProcessor);
      const views = await snapshotViews(store.views);
      const expected = expectedViews(fromLog);
      const registryTotals = await store.registry.totals();
      let mismatches = 0;
      for (const order of produced) {
        const registered = await store.registry.registered(order.orderId);
        if (registered?.status !== registryStatusOf(validateOrder(order)) || registered.version !== 1) mismatches++;
      }
      const instances = await store.control.liveInstances(Date.now() - 10_000);
      console.log(
        [
          `distributed: ${fromLog.length} orders read back from '${TOPICS.orders}' (${ids.size} produced), ` +
            `${instances.length} live instances, 2 SIGKILLed and restarted mid-run`,
          `  views: total-orders ${views.totals.totalOrders} (expected ${expected.totals.totalOrders}); ` +
            `registry: ${registryTotals.registeredCount} registered, ${mismatches} mismatches`,
          `  counters: query processed ${queryStats?.processedCount} (expected ${fromLog.length}), registry ` +
            `processed ${registryStats?.processedCount} (expected ${fromLog.length + registryMessages}), ` +
            `validated ${registryTotals.totalValidated}`,
          `  lost: ${Math.max(0, ids.size - views.totals.totalOrders) + Math.max(0, ids.size - registryTotals.registeredCount)}, ` +
            `counted twice: ${Math.max(0, views.totals.totalOrders - ids.size) + Math.max(0, registryTotals.registeredCount - ids.size)}`,
        ].join('\n'),
      );
      expect(fromLog.length).toBe(ORDERS);
      expect(views.customers).toEqual(expected.customers);
      expect(views.products).toEqual(expected.products);
      expect(views.totals).toEqual(expected.totals);
      expect(views.timeline).toEqual(expected.timeline);
      expect(registryTotals.registeredCount).toBe(ORDERS);
      expect(mismatches).toBe(0);
      expect(queryStats).toMatchObject({ processedCount: fromLog.length, errorCount: 0 });
      expect(registryStats).toMatchObject({ processedCount: fromLog.length + registryMessages, errorCount: 0 });
      expect(registryTotals.totalValidated).toBe(ORDERS);

      // A dead letter, so the dead-letter series exist too: a message on orders.dlq without the dlq.*
      // headers, as another tool would write it (the views and counters above stay as they are).
      await bus.publish(deadLetterTopic(TOPICS.orders), [{ key: null, value: 'not from the pipeline' }]);
      await checkThroughPrometheus(prometheus);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await sleep(2_000);
      await infrastructure.close();
    }
  }, 600_000);
});

/** The series each documented one stands for: a histogram by its `_bucket` (with `le`) and `_count`. */
/**
 * Documented series a stack on Kafka + Cassandra never exports: the disk of DATA_DIR (watched only
 * where the embedded log or the SQLite store keeps its files there) and resets to the log start
 * (kafkajs moves a group to the log start without telling its client).
 */
const NOT_ON_KAFKA_AND_CASSANDRA = new Set([
  'kafka_monitor_disk_free_bytes',
  'kafka_monitor_disk_size_bytes',
  'kafka_monitor_disk_warn_free_bytes',
  'kafka_monitor_disk_full',
  'kafka_monitor_consumer_offset_resets_total',
]);

function expectedSeries(): { name: string; labels: readonly string[] }[] {
  return [...documentedSeries()]
    .filter(([name]) => !NOT_ON_KAFKA_AND_CASSANDRA.has(name))
    .flatMap(([name, series]) =>
      series.type === 'histogram'
        ? [
            { name: `${name}_bucket`, labels: [...series.labels, 'le'] },
            { name: `${name}_count`, labels: series.labels },
          ]
        : [{ name, labels: series.labels }],
    );
}

/** What is wrong with the documented series in Prometheus right now: absent, or without a documented label. */
async function seriesProblems(prometheus: Prometheus): Promise<string[]> {
  const problems: string[] = [];
  for (const { name, labels } of expectedSeries()) {
    const samples = await prometheus.query(name);
    if (samples.length === 0) problems.push(`${name}: not scraped`);
    const absent = labels.filter((label) => !samples.some((s) => label in s.metric));
    if (samples.length > 0 && absent.length > 0) problems.push(`${name}: no series with ${absent.join(', ')}`);
  }
  return problems;
}

async function checkThroughPrometheus(prometheus: Prometheus | undefined): Promise<void> {
  if (prometheus === undefined) throw new Error('Prometheus did not start');
  // The dead letter is collected by the monitor and scraped within seconds; the rest is there already.
  let problems = await seriesProblems(prometheus);
  for (const deadline = Date.now() + 60_000; problems.length > 0 && Date.now() < deadline;) {
    await sleep(1_000);
    problems = await seriesProblems(prometheus);
  }
  const queries = dashboardQueries();
  const failedQueries: string[] = [];
  let withData = 0;
  for (const { panel, expr } of queries) {
    try {
      if ((await prometheus.query(expr)).length > 0) withData += 1;
    } catch (error) {
      failedQueries.push(`${panel}: ${(error as Error).message}`);
    }
  }
  const rules = await prometheus.rules();
  const unhealthyRules = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError}`);
  const targets = await prometheus.targets();
  const downTargets = targets.filter((t) => t.health !== 'up').map((t) => `${t.job} ${t.instance}: ${t.lastError}`);
  const alerts = (await prometheus.alerts()).map(({ labels, state }) => {
    const { alertname = '?', severity = '?', ...rest } = labels;
    const keys = Object.entries(rest).map(([name, value]) => `${name}="${value}"`);
    return `${alertname}{${keys.join(',')}} ${severity} ${state}`;
  });
  console.log(
    [
      `prometheus (${prometheus.url}, log ${prometheus.logFile}): ${expectedSeries().length} documented series ` +
        `checked, ${problems.length} problems; ${queries.length} dashboard queries, ${failedQueries.length} failed, ` +
        `${withData} with data; ${rules.length} rules, ${unhealthyRules.length} failing; ${targets.length} targets, ` +
        `${downTargets.length} down`,
      `  active alerts: ${alerts.join(', ') || 'none'}`,
    ].join('\n'),
  );
  expect(problems).toEqual([]);
  expect(failedQueries).toEqual([]);
  expect(unhealthyRules).toEqual([]);
  expect(downTargets).toEqual([]);
  expect(targets.map((t) => t.job).sort()).toEqual([
    'monitor',
    ...Array<string>(INSTANCES).fill('query-processor'),
    ...Array<string>(INSTANCES).fill('registry-processor'),
  ]);
}
