import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GROUPS,
  TOPICS,
  decodeOrder,
  generateOrder,
  registryStatusOf,
  validateOrder,
  type Order,
} from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { loadConfig, openInfrastructure, type Environment } from '@kafka-monitor/runtime';
import { expectedViews, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { temporaryDirectory } from '../helpers.js';

const brokers = process.env.KAFKA_BROKERS;
if (brokers === undefined || brokers === '')
  throw new Error('KAFKA_BROKERS must name the broker (npm run test:engines sets it)');

const ORDERS = 20_000;
const INSTANCES = 3;
const launcher = fileURLToPath(new URL('../../services/launcher/src/main.ts', import.meta.url));

/**
 * Every service in its own process on real Kafka and Cassandra: 3 query-processor and 3
 * registry-processor instances, one of each SIGKILLed and restarted while 20,000 orders flow.
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

  function startInstance(service: string, id: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', launcher], {
      // Several processes on one host: each health and metrics server on any free port.
      env: { ...environment, SERVICES: service, PROCESSOR_ID: id, METRICS_PORT: '0' },
      // Logs go to stdout at LOG_LEVEL=warn: a processor that keeps failing a batch shows up here.
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    return child;
  }

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await sleep(200);
    dir.remove();
  });

  it(`loses nothing and counts nothing twice with ${INSTANCES}+${INSTANCES} instances and kills`, async () => {
    const infrastructure = await openInfrastructure(loadConfig(environment));
    const { bus, store } = infrastructure;
    try {
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
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await sleep(2_000);
      await infrastructure.close();
    }
  }, 600_000);
});
