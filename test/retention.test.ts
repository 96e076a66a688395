import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus, type EmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { GROUPS, TOPICS, encodeOrder, generateOrder, silentLogger, type OffsetReset } from '@kafka-monitor/domain';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { waitFor } from '@kafka-monitor/testkit';
import { temporaryDirectory, totalLag } from './helpers.js';

describe('the pipeline on the embedded log with a retention of one second', () => {
  const dir = temporaryDirectory('retention-');
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    dir.remove();
  });

  it('the log start advances, the file stops growing, and the processors keep up; a stopped group resumes at the log start', async () => {
    const files = embeddedFiles(dir.path);
    const bus: EmbeddedEventBus = createEmbeddedEventBus({
      file: files.log,
      pollIntervalMs: 10,
      retention: { ms: 1_000, bytes: -1 },
      retentionCheckIntervalMs: 100,
    });
    const store = createSqliteStore({ file: files.store });
    closers.push(
      () => bus.close(),
      () => store.close(),
    );
    await bus.ensureTopics(pipelineTopics(3));
    await store.migrate();
    const resets: OffsetReset[] = [];
    const deps = { control: store.control, instanceId: 'test', logger: silentLogger, now: Date.now };
    const resetting = {
      ...bus,
      consume: (options: Parameters<typeof bus.consume>[0]) =>
        bus.consume({ ...options, onOffsetReset: (reset) => resets.push(reset) }),
    };
    let query = createQueryProcessor({ ...deps, bus: resetting, views: store.views });
    const registry = createRegistryProcessor({ ...deps, bus: resetting, registry: store.registry });
    await query.start();
    await registry.start();
    closers.push(
      () => query.stop(),
      () => registry.stop(),
    );

    let sent = 0;
    const pages: number[] = [];
    const random = Math.random;
    async function round(): Promise<void> {
      const orders = Array.from({ length: 300 }, () =>
        generateOrder(random, { orderId: randomUUID(), timestamp: Date.now() }, 0),
      );
      await bus.publish(
        TOPICS.orders,
        orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
      );
      sent += orders.length;
      await new Promise((resolve) => setTimeout(resolve, 250));
      const config = await bus.brokerConfig();
      pages.push(Number(config.find((c) => c.name === 'sqlite.page_count')?.value));
    }
    for (let i = 0; i < 16; i++) await round();
    for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
      await waitFor(
        `${group} caught up`,
        () => totalLag(bus, group),
        (lag) => lag === 0,
        30_000,
      );
    }
    await waitFor(
      'every order registered',
      async () => (await store.registry.totals()).registeredCount,
      (n) => n === sent,
      30_000,
    );
    expect((await store.views.totals()).totalOrders).toBe(sent);
    await waitFor(
      'the log start of orders past the first rounds',
      () => bus.topicOffsets(TOPICS.orders),
      (offsets) => offsets.every((p) => p.earliest > 0),
      10_000,
    );
    // 4,800 orders went through; the file settled after the first seconds (pages freed by retention reused).
    expect(pages.at(-1)).toBeLessThanOrEqual((pages[8] ?? 0) * 1.2);

    // The query processor stops; while it is gone, retention deletes what it has not read.
    await query.stop();
    for (let i = 0; i < 4; i++) await round();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (let i = 0; i < 2; i++) await round();
    query = createQueryProcessor({ ...deps, bus: resetting, views: store.views });
    await query.start();
    await waitFor(
      'query-processor caught up again',
      () => totalLag(bus, GROUPS.queryProcessor),
      (lag) => lag === 0,
      30_000,
    );
    expect(resets.length).toBeGreaterThan(0);
    const described = await bus.describeGroup(GROUPS.queryProcessor);
    expect(described.offsetResets?.length).toBeGreaterThan(0);
    // It kept counting the orders it could still read: fewer than sent, more than before it stopped.
    const counted = (await store.views.totals()).totalOrders;
    expect(counted).toBeGreaterThan(4_800);
    expect(counted).toBeLessThan(sent);
  }, 90_000);
});
