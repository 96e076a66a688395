import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  GROUPS,
  TOPICS,
  deadLetterTopic,
  encodeOrder,
  generateOrder,
  readDeadLetterHeaders,
  silentLogger,
  type EventBus,
  type OutgoingMessage,
  type Store,
} from '@kafka-monitor/domain';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor } from '@kafka-monitor/registry-processor';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { expectedViews, seededRandom, snapshotViews, waitFor } from '@kafka-monitor/testkit';
import { ordersInLog, readTopic, temporaryDirectory, totalLag } from './helpers.js';

const valid = {
  'order-id': 'x',
  'customer-id': 1,
  'product-id': 'PROD-001',
  quantity: 1,
  'unit-price': 10,
  total: 10,
  timestamp: 1,
  status: 'pending',
};

/** 1,000 malformed messages of every kind a careless or hostile producer could send. */
function malformedMessages(random: () => number): OutgoingMessage[] {
  const makers: ((i: number) => OutgoingMessage['value'])[] = [
    (i) => `{"order-id": "broken-${i}", `,
    () => '',
    () => 'null',
    () => '[1,2,3]',
    (i) => `"just a string ${i}"`,
    (i) => JSON.stringify({ ...valid, 'order-id': `missing-${i}`, quantity: undefined }),
    (i) => JSON.stringify({ ...valid, 'order-id': `type-${i}`, 'customer-id': 'seven' }),
    (i) => JSON.stringify({ ...valid, 'order-id': `float-${i}`, quantity: 1.5 }),
    (i) => JSON.stringify({ ...valid, 'order-id': `huge-${i}`, quantity: 1e300 }),
    (i) => JSON.stringify({ ...valid, 'order-id': `money-${i}`, total: 1e15 }),
    (i) => JSON.stringify({ ...valid, 'order-id': `cents-${i}`, 'unit-price': 10.001 }),
    (i) => JSON.stringify({ ...valid, 'order-id': `long-${i}`, 'product-id': 'P'.repeat(100_000) }),
    (i) => JSON.stringify({ ...valid, 'order-id': `time-${i}`, timestamp: -5 }),
    () => JSON.stringify({ ...valid, 'order-id': '' }),
    () => Uint8Array.from([0xc3, 0x28, 0xa0, 0xa1]),
  ];
  return Array.from({ length: 1_000 }, (_, i) => ({
    key: `poison-${i}`,
    value: (makers[Math.floor(random() * makers.length)] ?? (() => '?'))(i),
  }));
}

describe('poison messages', () => {
  let dir: ReturnType<typeof temporaryDirectory>;
  let bus: EventBus;
  let store: Store;
  const stoppers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dir = temporaryDirectory('dlq-');
    const files = embeddedFiles(dir.path);
    bus = createEmbeddedEventBus({ file: files.log, pollIntervalMs: 10 });
    store = createSqliteStore({ file: files.store });
    await bus.ensureTopics(pipelineTopics());
  });

  afterEach(async () => {
    for (const stop of stoppers.splice(0)) await stop();
    await bus.close();
    await store.close();
    dir.remove();
  });

  async function startProcessors(): Promise<void> {
    const query = createQueryProcessor({
      bus,
      views: store.views,
      control: store.control,
      instanceId: 'test',
      logger: silentLogger,
      now: Date.now,
    });
    const registry = createRegistryProcessor({
      bus,
      registry: store.registry,
      control: store.control,
      instanceId: 'test',
      logger: silentLogger,
      now: Date.now,
    });
    await query.start();
    await registry.start();
    stoppers.push(
      () => query.stop(),
      () => registry.stop(),
    );
  }

  it('sends 1,000 malformed orders to orders.dlq with a reason and processes the valid ones around them once', async () => {
    const random = seededRandom(42);
    const poison = malformedMessages(random);
    const orders = Array.from({ length: 500 }, (_, i) =>
      generateOrder(random, { orderId: randomUUID(), timestamp: 1_700_000_000_000 + i }, 0.1),
    );
    const mixed: OutgoingMessage[] = [...poison, ...orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) }))];
    mixed.sort(() => random() - 0.5);
    await startProcessors();
    for (let i = 0; i < mixed.length; i += 100) await bus.publish(TOPICS.orders, mixed.slice(i, i + 100));

    for (const group of [GROUPS.queryProcessor, GROUPS.registryProcessor]) {
      await waitFor(
        `${group} caught up`,
        () => totalLag(bus, group),
        (lag) => lag === 0,
        30_000,
      );
    }
    await waitFor(
      'all registered',
      async () => (await store.registry.totals()).registeredCount,
      (n) => n === 500,
      30_000,
    );

    const deadLetters = await readTopic(bus, deadLetterTopic(TOPICS.orders));
    expect(deadLetters).toHaveLength(2 * 1_000);
    const sourceOffsetsByGroup = new Map<string, Set<string>>();
    for (const letter of deadLetters) {
      const info = readDeadLetterHeaders(letter.headers);
      expect(info?.reason.length).toBeGreaterThan(0);
      expect(info?.topic).toBe(TOPICS.orders);
      const original = await bus.read(TOPICS.orders, info?.partition ?? -1, info?.offset ?? -1, 1);
      expect(Buffer.from(letter.value).equals(Buffer.from(original[0]?.value ?? []))).toBe(true);
      const set = sourceOffsetsByGroup.get(info?.group ?? '') ?? new Set<string>();
      set.add(`${info?.partition}/${info?.offset}`);
      sourceOffsetsByGroup.set(info?.group ?? '', set);
    }
    expect(sourceOffsetsByGroup.get(GROUPS.queryProcessor)?.size).toBe(1_000);
    expect(sourceOffsetsByGroup.get(GROUPS.registryProcessor)?.size).toBe(1_000);

    const log = await ordersInLog(bus);
    expect(log.poison).toBe(1_000);
    expect(await snapshotViews(store.views)).toEqual(expectedViews(log.orders));
    expect(await store.views.processingStats(GROUPS.queryProcessor)).toMatchObject({
      processedCount: 500,
      errorCount: 1_000,
    });
    expect(await store.registry.processingStats(GROUPS.registryProcessor)).toMatchObject({
      processedCount: 1_000,
      errorCount: 1_000,
    });

    // Still running: an order published after the poison is processed too.
    const late = generateOrder(random, { orderId: randomUUID(), timestamp: 1_800_000_000_000 }, 0);
    await bus.publish(TOPICS.orders, [{ key: late.orderId, value: encodeOrder(late) }]);
    await waitFor(
      'late order in the views',
      () => store.views.timelineEntry(late.orderId),
      (e) => e !== undefined,
    );
    await waitFor(
      'late order registered',
      () => store.registry.registered(late.orderId),
      (r) => r?.status === 'accepted',
    );
  });

  it('sends malformed registry messages to registry.dlq and keeps registering', async () => {
    await startProcessors();
    await bus.publish(TOPICS.registry, [
      { key: 'a', value: '{"order": 5}' },
      { key: 'b', value: '{"type": "status-change", "order-id": "b", "new-status": "maybe"}' },
      { key: 'c', value: 'not json' },
    ]);
    const order = generateOrder(seededRandom(1), { orderId: randomUUID(), timestamp: 1_700_000_000_000 }, 0);
    await bus.publish(TOPICS.orders, [{ key: order.orderId, value: encodeOrder(order) }]);
    await waitFor(
      'registered',
      () => store.registry.registered(order.orderId),
      (r) => r !== undefined,
    );
    const letters = await waitFor(
      'three dead letters',
      () => readTopic(bus, deadLetterTopic(TOPICS.registry)),
      (l) => l.length === 3,
    );
    const reasons = letters.map((l) => readDeadLetterHeaders(l.headers)?.reason ?? '').sort();
    expect(reasons).toEqual([
      "'new-status' must be 'accepted' or 'denied'",
      'not JSON: Unexpected token \'o\', "not json" is not valid JSON',
      'order: order must be a JSON object',
    ]);
  });
});
