import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GROUPS,
  TOPICS,
  encodeOrder,
  encodeStatusChange,
  generateOrder,
  silentLogger,
  type EventBus,
} from '@kafka-monitor/domain';
import { createOrderProcessor, type OrderProcessor } from '@kafka-monitor/order-processor';
import { runAudit, runRebuild } from '@kafka-monitor/pipeline';
import { createQueryProcessor, type QueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor, type RegistryProcessor } from '@kafka-monitor/registry-processor';
import {
  embeddedFiles,
  loadConfig,
  newTimeOrderedId,
  openInfrastructure,
  type Infrastructure,
} from '@kafka-monitor/runtime';
import { seededRandom, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { temporaryDirectory, totalLag } from './helpers.js';

/** Waits until both processors' groups have consumed everything on the log. */
async function bothCaughtUp(bus: EventBus): Promise<void> {
  for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
    await waitFor(
      `${group} caught up`,
      () => totalLag(bus, group),
      (lag) => lag === 0,
      60_000,
    );
  }
}

const RETENTION_MS = 1_500;

/** Per partition: the offset of the oldest message kept (the end when none is), and the end. */
async function logRange(bus: EventBus, topic: string): Promise<{ start: number; end: number }[]> {
  const ends = (await bus.listTopics()).find((t) => t.name === topic)?.endOffsets ?? [];
  return Promise.all(
    ends.map(async (end, partition) => ({ start: (await bus.read(topic, partition, 0, 1))[0]?.offset ?? end, end })),
  );
}

const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The bus, but its first read of `orders` waits until retention has deleted what is kept now. */
function retentionDuringFirstRead(bus: EventBus): EventBus {
  let armed = true;
  return {
    ...bus,
    read: async (topic, partition, fromOffset, limit) => {
      if (armed && topic === TOPICS.orders) {
        armed = false;
        await pause(RETENTION_MS + 1_000);
      }
      return bus.read(topic, partition, fromOffset, limit);
    },
  };
}

/**
 * The embedded default composed as the launcher composes it (runtime's infrastructure with its
 * snapshots, both processors and the generator), with retention cut to seconds: retention deletes
 * under traffic, and the views still equal what snapshot + retained log give, before and after a
 * rebuild.
 */
describe('views stay provable after retention (embedded default)', () => {
  const dir = temporaryDirectory('retention-snapshot-');
  let infrastructure: Infrastructure;
  let generator: OrderProcessor;
  let processors: (QueryProcessor | RegistryProcessor)[];

  beforeAll(async () => {
    const config = loadConfig({
      DATA_DIR: dir.path,
      LOG_LEVEL: 'silent',
      LOG_RETENTION_MS: String(RETENTION_MS),
      LOG_RETENTION_CHECK_INTERVAL_MS: '200',
    });
    infrastructure = await openInfrastructure(config, silentLogger);
    const { bus, store } = infrastructure;
    const shared = { bus, control: store.control, instanceId: 'retention-test', logger: silentLogger, now: Date.now };
    processors = [
      createQueryProcessor({ ...shared, views: store.views }),
      createRegistryProcessor({ ...shared, registry: store.registry }),
    ];
    for (const processor of processors) await processor.start();
    generator = createOrderProcessor({
      ...shared,
      produced: store.produced,
      random: Math.random,
      newOrderId: newTimeOrderedId,
      settings: { orderRate: 400, anomalyRate: 0.2 },
    });
  }, 60_000);

  afterAll(async () => {
    await generator?.stop();
    for (const processor of processors ?? []) await processor.stop();
    await infrastructure?.close().catch(() => undefined);
    dir.remove();
  });

  it('under traffic the log start advances, what is kept stays bounded, and the groups keep consuming', async () => {
    const { bus, store } = infrastructure;
    await generator.start();
    const samples: { produced: number; kept: number; start: number; fileBytes: number }[] = [];
    let decisions = 0;
    for (let second = 0; second < 8; second++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Reviewers decide some pending orders, one request sent twice: changes in the registry log too.
      const pending = await store.registry.oldestPending(5);
      const changes = pending.map((r, i) => ({
        orderId: r.order.orderId,
        newStatus: i % 2 === 0 ? ('accepted' as const) : ('denied' as const),
        reason: null,
        requestedAt: Date.now(),
        requestId: `decision-${second}-${i}`,
        requestedBy: 'test',
      }));
      const sent = [...changes, ...changes.slice(0, 1)];
      if (sent.length > 0) {
        await bus.publish(
          TOPICS.registry,
          sent.map((change) => ({ key: change.orderId, value: encodeStatusChange(change) })),
        );
      }
      decisions += changes.length;
      const orders = await logRange(bus, TOPICS.orders);
      samples.push({
        produced: sum(orders.map((p) => p.end)),
        kept: sum(orders.map((p) => p.end - p.start)),
        start: sum(orders.map((p) => p.start)),
        fileBytes: statSync(embeddedFiles(dir.path).log).size,
      });
    }
    await generator.stop();
    await bothCaughtUp(bus);
    // Past the retention once more, so every partition lost its oldest messages.
    await new Promise((resolve) => setTimeout(resolve, RETENTION_MS + 1_000));

    const last = samples.at(-1);
    expect(last?.produced).toBeGreaterThan(1_500);
    expect(decisions).toBeGreaterThan(0);
    // The log start keeps moving; what is kept is a few seconds of orders, not everything produced.
    expect(samples.map((s) => s.start)).toEqual([...samples.map((s) => s.start)].sort((a, b) => a - b));
    expect(last?.start).toBeGreaterThan(samples[2]?.start ?? 0);
    expect(last?.kept).toBeLessThan((last?.produced ?? 0) / 2);
    // After the first rounds the file grows only by the snapshot's entries (a few hundred bytes an
    // order, see docs/performance.md), where the messages alone take more than that.
    const warm = samples[2];
    if (last === undefined || warm === undefined) throw new Error('no samples');
    expect((last.fileBytes - warm.fileBytes) / (last.produced - warm.produced)).toBeLessThan(1_000);
    for (const topic of [TOPICS.orders, TOPICS.registry]) {
      const range = await logRange(bus, topic);
      const horizons = await bus.snapshotHorizons?.(topic);
      expect(range.every((p) => p.start > 0)).toBe(true);
      // Everything retention deleted was folded first: each horizon is the log start.
      expect(horizons).toEqual(range.map((p) => p.start));
    }
    // Nobody fell behind the log start: the groups consumed everything as it came.
    for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
      expect((await bus.describeGroup(group)).offsetResets ?? []).toEqual([]);
    }
  }, 120_000);

  it('the audit proves the views and the registry from snapshot + retained log: zero drift', async () => {
    const { bus, store } = infrastructure;
    const report = await runAudit({ bus, views: store.views, registry: store.registry, now: Date.now });
    expect(report.drifts).toEqual([]);
    expect(report.clean).toBe(true);
    const totals = await store.views.totals();
    // Most orders came from the snapshot: the log alone holds only the last seconds.
    expect(report.read.orders).toBeLessThan(totals.totalOrders);
    expect(report.read.snapshot).toBeGreaterThan(totals.totalOrders / 2);
    expect(report.compared.registeredOrders).toBe((await store.registry.totals()).registeredCount);
    expect(report.compared.registeredOrders).toBeGreaterThan(report.read.registry / 2);
  }, 60_000);

  it('a rebuild from snapshot + retained log gives the same views, and the audit still finds zero drift', async () => {
    const { bus, store } = infrastructure;
    const before = await snapshotViews(store.views);
    const report = await runRebuild({ bus, generations: store.viewGenerations, now: Date.now, owner: 'test' });
    expect(report.plan.partitions.every((p) => p.fromOffset > 0)).toBe(true);
    // Every distinct order retention deleted is an entry; the log holds the rest.
    expect(report.plan.snapshotEntries + report.plan.messages).toBeGreaterThanOrEqual(before.totals.totalOrders);
    expect(report.plan.snapshotEntries).toBeGreaterThan(before.totals.totalOrders / 2);
    expect(report.fromSnapshot).toBe(report.plan.snapshotEntries);
    expect(await store.viewGenerations.pointer({ fresh: true })).toEqual({ reads: 1, writes: 1 });
    expect(await snapshotViews(store.views)).toEqual(before);
    const audit = await runAudit({ bus, views: store.views, registry: store.registry, now: Date.now });
    expect(audit.drifts).toEqual([]);
    expect(audit.clean).toBe(true);
  }, 60_000);

  it('retention deleting while the audit and a rebuild read: what went is read from the snapshot, zero drift', async () => {
    const { bus, store } = infrastructure;
    const caughtUp = () => bothCaughtUp(bus);
    const random = seededRandom(5);
    const publish = async (): Promise<void> => {
      const orders = Array.from({ length: 300 }, () =>
        generateOrder(random, { orderId: newTimeOrderedId(), timestamp: Date.now() }, 0.1),
      );
      await bus.publish(
        TOPICS.orders,
        orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
      );
      await caughtUp();
    };

    await publish();
    const kept = sum((await logRange(bus, TOPICS.orders)).map((p) => p.end - p.start));
    expect(kept).toBeGreaterThan(0);
    const audit = await runAudit({
      bus: retentionDuringFirstRead(bus),
      views: store.views,
      registry: store.registry,
      now: Date.now,
    });
    expect(audit.drifts).toEqual([]);
    expect(sum((await logRange(bus, TOPICS.orders)).map((p) => p.end - p.start))).toBe(0);

    await publish();
    const before = await snapshotViews(store.views);
    const report = await runRebuild({
      bus: retentionDuringFirstRead(bus),
      generations: store.viewGenerations,
      now: Date.now,
      owner: 'test',
    });
    expect(report.plan.toGeneration).toBe(2);
    expect(await snapshotViews(store.views)).toEqual(before);
    const after = await runAudit({ bus, views: store.views, registry: store.registry, now: Date.now });
    expect(after.drifts).toEqual([]);
  }, 60_000);
});
