import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS, generateOrder, registryStatusOf, validateOrder, type Order } from '@kafka-monitor/domain';
import { produceOrders } from '@kafka-monitor/pipeline';
import { loadConfig, openInfrastructure } from '@kafka-monitor/runtime';
import { expectedViews, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { LAUNCHER_ARGS, freePort, ordersInLog, temporaryDirectory, totalLag } from '../helpers.js';
import { baseEnvironment, expectNoSecret, securedCassandra, securedKafka, withPasswordFiles } from './secured.js';

const ORDERS = 3_000;

interface Running {
  readonly name: string;
  readonly child: ChildProcess;
  /** Where its /health/* and /metrics answer (the monitor: its API port). */
  readonly base: string;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
}

/**
 * The pipeline end to end on the secured engines, each service in its own process as in production:
 * the query processor and the monitor read the passwords from the environment, the registry processor
 * from files (the *_FILE variables). The views and the registry must equal the recomputation from the
 * orders in the log, and no output of any process (logs, /api/health, /metrics) may hold a password.
 */
describe('the pipeline on the secured Kafka and Cassandra, one process per service', () => {
  const dir = temporaryDirectory('secured-pipeline-');
  const running: Running[] = [];
  const environment: Record<string, string> = {
    ...baseEnvironment(),
    ...securedKafka(),
    ...securedCassandra(),
    // Names of this run only: earlier runs on the same engines cannot leak into the comparison.
    BUS_PREFIX: `secured-${randomUUID().slice(0, 8)}.`,
    CASSANDRA_KEYSPACE_PREFIX: `sec${Date.now().toString(36)}_`,
    DATA_DIR: dir.path,
    // info, not warn: more of what the processes say is searched for the passwords.
    LOG_LEVEL: 'info',
  };

  /** Starts one service with `settings` (the suite's environment, or a variant of it). */
  async function startService(name: string, settings: Record<string, string> = environment): Promise<Running> {
    const port = await freePort();
    const portVariable = name === 'monitor' ? 'PORT' : 'METRICS_PORT';
    const child = spawn(process.execPath, LAUNCHER_ARGS, {
      env: { ...settings, SERVICES: name, PROCESSOR_ID: `secured-${name}`, [portVariable]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const service = { name, child, base: `http://127.0.0.1:${port}`, output: () => text };
    running.push(service);
    return service;
  }

  afterAll(async () => {
    for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await sleep(200);
    dir.remove();
  });

  it(`registers and counts ${ORDERS} orders exactly as the log says, and no output holds a password`, async () => {
    const infrastructure = await openInfrastructure(loadConfig(environment));
    const { bus, store } = infrastructure;
    try {
      const query = await startService('query-processor');
      const registry = await startService('registry-processor', withPasswordFiles(environment, dir.path));
      const monitor = await startService('monitor');
      await waitFor(
        'both processors heartbeating',
        async () => (await store.control.liveInstances(Date.now() - 10_000)).length,
        (n) => n >= 2,
        90_000,
      ).catch((error: unknown) => {
        // What the processes said is the only clue; it holds no password (checked at the end otherwise).
        for (const service of running)
          console.log(`--- ${service.name} (exit ${service.child.exitCode ?? '-'})\n${service.output()}`);
        throw error;
      });

      let seed = 19;
      const random = (): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      const produced: Order[] = [];
      for (let i = 0; i < ORDERS; i += 500) {
        const batch = Array.from({ length: 500 }, (_, j) =>
          generateOrder(random, { orderId: randomUUID(), timestamp: Date.now() + i + j }, 0.1),
        );
        await produceOrders(bus, store.produced, batch);
        produced.push(...batch);
      }
      await waitFor(
        'every order registered and counted',
        async () => [(await store.views.totals()).totalOrders, (await store.registry.totals()).registeredCount],
        ([views, registered]) => (views ?? 0) >= ORDERS && (registered ?? 0) >= ORDERS,
        180_000,
      );
      await waitFor(
        'query-processor lag 0',
        () => totalLag(bus, GROUPS.queryProcessor),
        (lag) => lag === 0,
        60_000,
      );
      await waitFor(
        'registry-processor lag 0',
        () => totalLag(bus, GROUPS.registryProcessor),
        (lag) => lag === 0,
        60_000,
      );

      // The recomputation from the orders topic itself (this run's prefix holds only this run's orders).
      const log = await ordersInLog(bus);
      const views = await snapshotViews(store.views);
      const expected = expectedViews(log.orders);
      let mismatches = 0;
      for (const order of produced) {
        const registered = await store.registry.registered(order.orderId);
        if (registered?.status !== registryStatusOf(validateOrder(order)) || registered.version !== 1) mismatches++;
      }
      const registryTotals = await store.registry.totals();
      console.log(
        `secured pipeline: ${log.orders.length} orders read back from '${TOPICS.orders}' over SASL_SSL, ` +
          `views total-orders ${views.totals.totalOrders} (expected ${expected.totals.totalOrders}), ` +
          `${registryTotals.registeredCount} registered, ${mismatches} mismatches`,
      );
      expect(log.orders).toHaveLength(ORDERS);
      expect(log.poison).toBe(0);
      expect(views.customers).toEqual(expected.customers);
      expect(views.products).toEqual(expected.products);
      expect(views.totals).toEqual(expected.totals);
      expect(views.timeline).toEqual(expected.timeline);
      expect(registryTotals.registeredCount).toBe(ORDERS);
      expect(registryTotals.totalValidated).toBe(ORDERS);
      expect(mismatches).toBe(0);

      // What an operator or a scraper sees of each process: readiness, metrics, and the monitor's health.
      for (const service of [query, registry, monitor]) {
        await waitFor(
          `${service.name} ready`,
          async () => (await fetch(`${service.base}/health/ready`).catch(() => undefined))?.status ?? 0,
          (status) => status === 200,
          60_000,
        );
        const ready = await (await fetch(`${service.base}/health/ready`)).text();
        expect(JSON.parse(ready)).toMatchObject({ status: 'ready' });
        const metrics = await fetch(`${service.base}/metrics`);
        expect(metrics.status).toBe(200);
        expectNoSecret(`/metrics of ${service.name}`, await metrics.text());
      }
      const health = await (await fetch(`${monitor.base}/api/health`)).text();
      expect(JSON.parse(health)).toMatchObject({
        status: 'healthy',
        bus: { status: 'connected' },
        store: { status: 'connected' },
      });
      expectNoSecret('/api/health', health);

      for (const service of [query, registry, monitor]) {
        const exited = once(service.child, 'exit');
        service.child.kill('SIGTERM');
        const [code] = (await exited) as [number | null];
        expect(code, `${service.name} exit code\n${service.output()}`).toBe(0);
        expect(service.output(), `${service.name} wrote nothing: its logs cannot be searched`).not.toBe('');
        expectNoSecret(`the output of ${service.name}`, service.output());
      }
    } finally {
      await infrastructure.close();
    }
  }, 420_000);
});
