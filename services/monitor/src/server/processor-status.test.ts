import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { GROUPS, TOPICS, type EventBus, type Store } from '@kafka-monitor/domain';
import { waitFor } from '@kafka-monitor/testkit';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { createLagHistory } from './lag-history.js';
import { createProcessorStatusReader } from './processor-status.js';

describe('processor status', () => {
  let bus: EventBus;
  let store: Store;
  let clock: number;

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    store = createSqliteStore({ file: ':memory:' });
    await bus.ensureTopics([
      { name: TOPICS.orders, partitions: 2 },
      { name: TOPICS.registry, partitions: 1 },
    ]);
    clock = 1_000_000;
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
  });

  const heartbeat = (processor: string, errors = 0) =>
    store.control.heartbeat({
      processor,
      instanceId: `${processor}-1`,
      startedAt: clock - 60_000,
      heartbeatAt: clock,
      processed: 10,
      errors,
      throughputPerSecond: 2,
      lastProcessedAt: clock - 1_000,
    });

  const statusOf = async (reader: ReturnType<typeof createProcessorStatusReader>, name: string) =>
    (await reader.read()).processors.find((p) => p.name === name);

  it('lists the group’s resets to the log start', async () => {
    const embedded = createEmbeddedEventBus({ file: ':memory:', pollIntervalMs: 10 });
    try {
      await embedded.ensureTopics([{ name: TOPICS.orders, partitions: 1 }]);
      await embedded.publish(
        TOPICS.orders,
        Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: `m${i}` })),
      );
      await embedded.deleteRecords(TOPICS.orders, [{ partition: 0, offset: 3 }]);
      const consumer = await embedded.consume({
        group: GROUPS.queryProcessor,
        topics: [TOPICS.orders],
        handleBatch: () => Promise.resolve(),
      });
      await waitFor(
        'the reset',
        async () => (await embedded.describeGroup(GROUPS.queryProcessor)).offsetResets?.length ?? 0,
        (n) => n === 1,
      );
      await consumer.stop();
      const reader = createProcessorStatusReader({ bus: embedded, store, now: () => clock, cacheMs: 0 });
      const group = (await statusOf(reader, 'query-processor'))?.['consumer-group'];
      expect(group?.['offset-resets']).toMatchObject([
        { topic: TOPICS.orders, partition: 0, 'from-offset': 0, 'to-offset': 3, count: 1 },
      ]);
    } finally {
      await embedded.close();
    }
  });

  it('is healthy when idle: no lag and no traffic is not a stall', async () => {
    const reader = createProcessorStatusReader({ bus, store, now: () => clock, cacheMs: 0 });
    await heartbeat('query-processor');
    expect(await statusOf(reader, 'query-processor')).toMatchObject({
      status: 'healthy',
      instances: 1,
      uptime: 60,
      'uptime-seconds': 60,
    });
    clock += 60_000;
    await heartbeat('query-processor');
    expect((await statusOf(reader, 'query-processor'))?.status).toBe('healthy');
  });

  it('is stalled when lag waits and commits stop for the stall window, and recovers when commits resume', async () => {
    const reader = createProcessorStatusReader({ bus, store, now: () => clock, cacheMs: 0, stallAfterMs: 15_000 });
    const consumer = await bus.consume({
      group: GROUPS.queryProcessor,
      topics: [TOPICS.orders],
      handleBatch: () => Promise.resolve(),
    });
    await consumer.stop();
    await bus.publish(TOPICS.orders, [{ key: 'a', value: 'x', timestamp: clock }]);
    await heartbeat('query-processor');
    const first = await statusOf(reader, 'query-processor');
    expect(first?.status).toBe('healthy');
    expect(first?.['consumer-group']?.lag).toBe(1);
    clock += 20_000;
    await heartbeat('query-processor');
    await bus.publish(TOPICS.orders, [{ key: 'b', value: 'y', timestamp: clock }]);
    const stalled = await statusOf(reader, 'query-processor');
    expect(stalled?.status).toBe('stalled');
    expect(stalled?.['consumer-group']?.['lag-seconds']).toBe(20);
    expect(stalled?.['consumer-group']?.partitions.map((p) => p.partition)).toEqual([0, 1]);

    let consumed = 0;
    const resumed = await bus.consume({
      group: GROUPS.queryProcessor,
      topics: [TOPICS.orders],
      handleBatch: (batch) => {
        consumed += batch.messages.length;
        return Promise.resolve();
      },
    });
    while (consumed < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await resumed.stop();
    clock += 1_000;
    await heartbeat('query-processor');
    expect((await statusOf(reader, 'query-processor'))?.status).toBe('healthy');
  });

  it('is down without live instances and degraded while errors grow', async () => {
    const reader = createProcessorStatusReader({ bus, store, now: () => clock, cacheMs: 0 });
    expect(await statusOf(reader, 'order-processor')).toMatchObject({
      status: 'down',
      instances: 0,
      uptime: 0,
      'uptime-seconds': 0,
    });
    await heartbeat('order-processor', 0);
    expect((await statusOf(reader, 'order-processor'))?.status).toBe('healthy');
    clock += 5_000;
    await heartbeat('order-processor', 3);
    expect((await statusOf(reader, 'order-processor'))?.status).toBe('degraded');
    clock += 120_000;
    await heartbeat('order-processor', 3);
    expect((await statusOf(reader, 'order-processor'))?.status).toBe('healthy');
  });

  it("evaluates each group over its kept samples with Burrow's statuses, rates and trend", async () => {
    const history = createLagHistory({ sampleEveryMs: 5_000, windowMs: 30_000 });
    const reader = createProcessorStatusReader({ bus, store, now: () => clock, cacheMs: 0, history });
    const group = async () => (await statusOf(reader, 'query-processor'))?.['consumer-group'];
    // Idle: nothing to read, nobody reading.
    expect(await group()).toMatchObject({ status: 'OK', members: 0, lag: 0, 'window-seconds': 30 });
    // Messages keep coming and nobody commits: OK until a whole window was watched, then STOP.
    for (let step = 0; step < 8; step++) {
      await bus.publish(TOPICS.orders, [{ key: 'a', value: 'x', timestamp: clock }]);
      clock += 5_000;
      expect((await group())?.status).toBe(step < 6 ? 'OK' : 'STOP');
    }
    const stopped = await group();
    expect(stopped?.partitions.find((p) => p.lag > 0)).toMatchObject({
      status: 'STOP',
      trend: 'growing',
      'time-to-drain-seconds': 'growing',
      'consume-rate': 0,
    });
    const produced = stopped?.partitions.reduce((sum, p) => sum + (p['produce-rate'] ?? 0), 0) ?? 0;
    expect(produced).toBeCloseTo(0.2);

    const withHistory = (await reader.readWithHistory()).processors.find((p) => p.name === 'query-processor');
    const kept = withHistory?.['consumer-group']?.history;
    expect(kept?.['sample-every-seconds']).toBe(5);
    expect(kept?.times).toHaveLength(9);
    expect(kept?.lag.at(-1)).toBe(8);
    expect((await reader.read()).processors[0]?.['consumer-group']?.history).toBeUndefined();
  });

  it('restores the end offsets of the last hour from the log', async () => {
    const start = clock - 30 * 60_000;
    await bus.publish(
      TOPICS.orders,
      Array.from({ length: 30 }, (_, i) => ({ key: 'k', value: 'v', timestamp: start + i * 60_000 })),
    );
    const reader = createProcessorStatusReader({ bus, store, now: () => clock, cacheMs: 0 });
    expect(await reader.restore()).toBeGreaterThan(0);
    const kept = (await reader.readWithHistory()).processors.find((p) => p.name === 'query-processor')?.[
      'consumer-group'
    ]?.history;
    expect(kept?.times[0]).toBe(clock - 60 * 60_000);
    expect(kept?.['end-offset'][0]).toBe(0);
    expect(kept?.['end-offset'].at(-1)).toBe(30);
    expect(kept?.lag[0]).toBeNull();
    expect(kept?.lag.at(-1)).toBe(30);
  });
});
