import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  GROUPS,
  TOPICS,
  encodeOrder,
  generateOrder,
  silentLogger,
  type EventBus,
  type Store,
} from '@kafka-monitor/domain';
import { RebuildRunningError, planRebuild, runAudit, runRebuild, type RebuildPhase } from '@kafka-monitor/pipeline';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { expectedViews, seededRandom, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { ordersInLog, temporaryDirectory, totalLag } from './helpers.js';

describe('rebuild of the views (embedded log + SQLite)', () => {
  let dir: ReturnType<typeof temporaryDirectory>;
  let bus: EventBus;
  let store: Store;
  const stoppers: (() => Promise<void>)[] = [];
  const random = seededRandom(7);
  let produced = 0;

  const publishOrders = async (count: number): Promise<void> => {
    const orders = Array.from({ length: count }, () =>
      generateOrder(random, { orderId: randomUUID(), timestamp: 1_700_000_000_000 + produced++ }, 0.1),
    );
    await bus.publish(
      TOPICS.orders,
      orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
    );
  };

  beforeEach(async () => {
    dir = temporaryDirectory('rebuild-');
    const files = embeddedFiles(dir.path);
    bus = createEmbeddedEventBus({ file: files.log, pollIntervalMs: 10 });
    store = createSqliteStore({ file: files.store });
    await bus.ensureTopics(pipelineTopics());
    const deps = { bus, control: store.control, instanceId: 'test', logger: silentLogger, now: Date.now };
    const query = createQueryProcessor({ ...deps, views: store.views });
    const registry = createRegistryProcessor({ ...deps, registry: store.registry });
    await query.start();
    await registry.start();
    stoppers.push(
      () => query.stop(),
      () => registry.stop(),
    );
  });

  afterEach(async () => {
    for (const stop of stoppers.splice(0)) await stop();
    await bus.close();
    await store.close();
    dir.remove();
  });

  const caughtUp = async () => {
    for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
      await waitFor(
        `${group} caught up`,
        () => totalLag(bus, group),
        (lag) => lag === 0,
        60_000,
      );
    }
  };

  it('rebuilds into a new generation under live traffic, switches, drops the old one, and the audit finds no drift', async () => {
    for (let i = 0; i < 20; i++) await publishOrders(250);
    await caughtUp();

    const plan = await planRebuild({ bus, generations: store.viewGenerations, now: Date.now, owner: 'test' });
    expect(plan).toMatchObject({ fromGeneration: 0, toGeneration: 1, resumes: false, messages: 5_000, running: null });
    expect(plan.partitions.map((p) => p.fromOffset)).toEqual([0, 0, 0]);
    expect(plan.partitions.reduce((s, p) => s + p.toOffset, 0)).toBe(5_000);

    // Orders keep coming while the rebuild runs, and the views keep answering from generation 0.
    let traffic = true;
    const phases = new Set<RebuildPhase>();
    const live = (async () => {
      while (traffic) {
        await publishOrders(20);
        expect((await store.views.totals()).totalOrders).toBeGreaterThan(0);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const report = await runRebuild({
      bus,
      generations: store.viewGenerations,
      now: Date.now,
      owner: 'test',
      readBatch: 500,
      onProgress: (p) => phases.add(p.phase),
    }).finally(() => {
      traffic = false;
    });
    await live;
    expect(report.replayed).toBe(report.plan.messages);
    expect(report.replayed).toBeGreaterThanOrEqual(5_000);
    expect([...phases]).toEqual(expect.arrayContaining(['replaying', 'switching', 'dropping', 'done']));
    expect(await store.viewGenerations.pointer({ fresh: true })).toEqual({ reads: 1, writes: 1 });
    await expect(store.viewGenerations.generation(0).totals()).rejects.toThrow(/no such table/);

    await publishOrders(100);
    await caughtUp();
    const { orders } = await ordersInLog(bus);
    expect(orders.length).toBeGreaterThan(5_100);
    expect(await snapshotViews(store.views)).toEqual(expectedViews(orders, 1_000));
    const audit = await runAudit({ bus, views: store.views, registry: store.registry, now: Date.now });
    expect(audit.drifts).toEqual([]);
    expect(audit.clean).toBe(true);
  }, 120_000);

  it('refuses a second rebuild while one holds the lease, and resumes a switch left half done', async () => {
    await publishOrders(300);
    await caughtUp();
    const generations = store.viewGenerations;
    expect(await generations.acquireLease('other', Date.now(), 60_000)).toBe(true);
    const refused = await runRebuild({ bus, generations, now: Date.now, owner: 'test' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RebuildRunningError);
    expect((refused as RebuildRunningError).message).toMatch(/already running \(other/);
    expect((await planRebuild({ bus, generations, now: Date.now, owner: 'test' })).running?.owner).toBe('other');
    await generations.releaseLease('other');

    // A rebuild that stopped right after sending the live writes to generation 1.
    await generations.create(1);
    expect(await generations.movePointer({ reads: 0, writes: 0 }, { reads: 0, writes: 1 })).toBe(true);
    const plan = await planRebuild({ bus, generations, now: Date.now, owner: 'test' });
    expect(plan).toMatchObject({ fromGeneration: 0, toGeneration: 1, resumes: true, messages: 300 });
    const report = await runRebuild({ bus, generations, now: Date.now, owner: 'test' });
    expect(report.plan.resumes).toBe(true);
    expect(await generations.pointer({ fresh: true })).toEqual({ reads: 1, writes: 1 });
    await publishOrders(50);
    await caughtUp();
    expect(await snapshotViews(store.views)).toEqual(expectedViews((await ordersInLog(bus)).orders, 1_000));
    expect(await generations.lease()).toBeUndefined();
  }, 60_000);
});
