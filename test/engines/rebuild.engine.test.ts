import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUPS, TOPICS, encodeOrder, generateOrder } from '@kafka-monitor/domain';
import { runAudit, runRebuild, type RebuildPhase } from '@kafka-monitor/pipeline';
import type { Infrastructure } from '@kafka-monitor/runtime';
import { seededRandom, waitFor } from '@kafka-monitor/testkit';
import { startInProcessStack, type InProcessStack } from './stack.js';
import { temporaryDirectory, totalLag } from '../helpers.js';

const brokers = process.env.KAFKA_BROKERS;
const cassandraHost = process.env.CASSANDRA_HOST;
if (brokers === undefined || brokers === '' || cassandraHost === undefined || cassandraHost === '')
  throw new Error('KAFKA_BROKERS and CASSANDRA_HOST must name the engines (npm run test:engines sets them)');

const ORDERS = 50_000;

/**
 * A rebuild of the views on Kafka + Cassandra with 50,000 orders while orders keep coming: the new
 * generation is a keyspace of its own, the switch a lightweight transaction on the pointer row, and
 * the audit afterwards finds no drift.
 */
describe('rebuild of the views on Kafka + Cassandra', () => {
  const dir = temporaryDirectory('rebuild-engines-');
  let infrastructure: Infrastructure;
  let stack: InProcessStack;
  const random = seededRandom(2026);
  let produced = 0;

  const publishOrders = async (count: number): Promise<void> => {
    const orders = Array.from({ length: count }, () =>
      generateOrder(random, { orderId: randomUUID(), timestamp: Date.now() + produced++ }, 0.1),
    );
    await infrastructure.bus.publish(
      TOPICS.orders,
      orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
    );
  };

  const caughtUp = async (timeoutMs: number) => {
    for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
      await waitFor(
        `${group} caught up`,
        () => totalLag(infrastructure.bus, group),
        (lag) => lag === 0,
        timeoutMs,
      );
    }
  };

  beforeAll(async () => {
    const suffix = Date.now().toString(36);
    stack = await startInProcessStack('rebuild-engine-test', {
      BUS: 'kafka',
      KAFKA_BROKERS: brokers ?? '',
      BUS_PREFIX: `rebuild-${suffix}.`,
      STORE: 'cassandra',
      CASSANDRA_HOST: cassandraHost ?? '',
      CASSANDRA_PORT: process.env.CASSANDRA_PORT ?? '9042',
      CASSANDRA_KEYSPACE_PREFIX: `rb${suffix}_`,
      DATA_DIR: dir.path,
    });
    infrastructure = stack.infrastructure;
  }, 180_000);

  afterAll(async () => {
    await stack.stop();
    dir.remove();
  }, 120_000);

  it('rebuilds 50,000 orders into a new keyspace under live traffic, switches, and verify finds no drift', async () => {
    const { bus, store } = infrastructure;
    for (let sent = 0; sent < ORDERS; sent += 1_000) await publishOrders(1_000);
    await caughtUp(900_000);
    const before = await store.views.totals();
    expect(before.totalOrders).toBeGreaterThanOrEqual(ORDERS * 0.99);

    let traffic = true;
    let answered = 0;
    const live = (async () => {
      while (traffic) {
        await publishOrders(10);
        if ((await store.views.totals()).totalOrders >= before.totalOrders) answered++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const phases = new Set<RebuildPhase>();
    const report = await runRebuild({
      bus,
      generations: store.viewGenerations,
      control: store.control,
      now: Date.now,
      owner: 'rebuild-engine-test',
      onProgress: (p) => phases.add(p.phase),
    }).finally(() => {
      traffic = false;
    });
    await live;
    console.log(
      `rebuild on Kafka + Cassandra: ${report.replayed} replayed + ${report.caughtUp} caught up in ` +
        `${((report.finishedAt - report.startedAt) / 1000).toFixed(1)} s (${report.ratePerSecond} messages/s)`,
    );
    expect(report.replayed).toBe(report.plan.messages);
    expect(report.replayed).toBeGreaterThanOrEqual(ORDERS);
    expect(answered).toBeGreaterThan(0);
    expect([...phases]).toEqual(expect.arrayContaining(['replaying', 'switching', 'dropping', 'done']));
    expect(await store.viewGenerations.pointer({ fresh: true })).toEqual({ reads: 1, writes: 1 });
    await expect(store.viewGenerations.generation(0).totals()).rejects.toThrow();

    await caughtUp(300_000);
    const audit = await runAudit({ bus, views: store.views, registry: store.registry, now: Date.now });
    expect(audit.drifts).toEqual([]);
    expect(audit).toMatchObject({ clean: true, caughtUp: true });
    expect(audit.read.orders).toBeGreaterThan(ORDERS);
  }, 1_800_000);
});
