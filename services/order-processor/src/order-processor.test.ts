import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { TOPICS, decodeOrder, silentLogger, type EventBus, type Logger, type Store } from '@kafka-monitor/domain';
import { pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { makeOrder, waitFor } from '@kafka-monitor/testkit';
import { createOrderProcessor, type OrderProcessor } from './order-processor.js';

async function logSize(bus: EventBus): Promise<number> {
  const info = (await bus.listTopics()).find((t) => t.name === TOPICS.orders);
  return info?.endOffsets.reduce((a, b) => a + b, 0) ?? 0;
}

describe('order processor', () => {
  let bus: EventBus;
  let store: Store;
  let clock: number;
  let processor: OrderProcessor;

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    store = createSqliteStore({ file: ':memory:' });
    await bus.ensureTopics(pipelineTopics());
    clock = 1_000_000;
    processor = createOrderProcessor({
      bus,
      produced: store.produced,
      control: store.control,
      instanceId: 'test-instance',
      logger: silentLogger,
      now: () => clock,
      random: Math.random,
      newOrderId: randomUUID,
      settings: { orderRate: 0, anomalyRate: 0 },
      tickMs: 1,
      settingsPollMs: 5,
    });
  });

  afterEach(async () => {
    await processor.stop();
    await bus.close();
    await store.close();
  });

  it('produces exactly rate × elapsed orders by the clock, however the ticks fall', async () => {
    await processor.updateSettings({ orderRate: 500 });
    await processor.start();
    clock += 1_000;
    await waitFor(
      '500 orders',
      () => logSize(bus),
      (n) => n === 500,
    );
    clock += 1_500;
    await waitFor(
      '1250 orders',
      () => logSize(bus),
      (n) => n === 1_250,
    );
    expect(processor.meter.snapshot().processed).toBe(1_250);
  });

  it('stops generating at rate 0 and resumes from a fresh pace when the rate changes', async () => {
    await processor.start();
    clock += 10_000;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await logSize(bus)).toBe(0);
    expect(await processor.updateSettings({ orderRate: 100, anomalyRate: 0.5 })).toEqual({
      orderRate: 100,
      anomalyRate: 0.5,
    });
    clock += 100;
    await waitFor(
      '10 orders',
      () => logSize(bus),
      (n) => n === 10,
    );
    expect(processor.settings()).toEqual({ orderRate: 100, anomalyRate: 0.5 });
  });

  it('picks up settings another process stored, and stores its own changes', async () => {
    await processor.start();
    expect(await store.control.generatorSettings()).toMatchObject({ orderRate: 0, anomalyRate: 0 });
    await store.control.saveGeneratorSettings({ orderRate: 40, anomalyRate: 0.3, updatedAt: clock + 1_000 });
    await waitFor(
      'settings applied',
      () => processor.settings(),
      (s) => s.orderRate === 40,
    );
    expect(processor.settings()).toEqual({ orderRate: 40, anomalyRate: 0.3 });
    clock += 2_000;
    await processor.updateSettings({ anomalyRate: 0.05 });
    expect(await store.control.generatorSettings()).toMatchObject({ orderRate: 40, anomalyRate: 0.05 });
    const live = await store.control.liveInstances(0);
    expect(live.map((i) => [i.processor, i.instanceId])).toEqual([['order-processor', 'test-instance']]);
  });

  it('publishes kebab-case orders keyed by id and records them as produced', async () => {
    const order = makeOrder({ orderId: randomUUID() });
    await processor.produce([order]);
    const [position] = (await bus.listTopics())
      .filter((t) => t.name === TOPICS.orders)
      .flatMap((t) => t.endOffsets.map((end, partition) => ({ end, partition })))
      .filter((p) => p.end > 0);
    const [message] = await bus.read(TOPICS.orders, position?.partition ?? 0, 0, 1);
    expect(message?.key).toBe(order.orderId);
    const text = Buffer.from(message?.value ?? []).toString('utf8');
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(
      ['customer-id', 'order-id', 'product-id', 'quantity', 'status', 'timestamp', 'total', 'unit-price'].sort(),
    );
    expect(decodeOrder(text)).toEqual({ ok: true, value: order });
    expect(await store.produced.produced(order.orderId)).toEqual(order);
  });

  it('keeps running when the bus refuses an append, counting the error', async () => {
    await processor.updateSettings({ orderRate: 1_000 });
    await store.close();
    await processor.start();
    clock += 100;
    await waitFor(
      'an error counted',
      () => processor.meter.snapshot().errors,
      (n) => n > 0,
    );
    await processor.stop();
  });

  it('backs off after failed sends, doubling the wait up to its maximum, instead of retrying every tick', async () => {
    const delays: number[] = [];
    const recording: Logger = {
      ...silentLogger,
      error: (fields: object) => {
        if ('retryInMs' in fields && typeof fields.retryInMs === 'number') delays.push(fields.retryInMs);
      },
      child: () => recording,
    };
    const failing = createOrderProcessor({
      bus,
      produced: store.produced,
      control: store.control,
      instanceId: 'failing-instance',
      logger: recording,
      // Time passes between ticks, so every tick has orders due (and fails to send them).
      now: () => (clock += 10),
      random: Math.random,
      newOrderId: randomUUID,
      settings: { orderRate: 1_000, anomalyRate: 0 },
      tickMs: 1,
      retryDelay: { firstMs: 2, maxMs: 8 },
    });
    await bus.close();
    await failing.start();
    try {
      await waitFor(
        'five failures',
        () => delays.length,
        (n) => n >= 5,
      );
    } finally {
      await failing.stop();
    }
    expect(delays.slice(0, 5)).toEqual([2, 4, 8, 8, 8]);
  });

  it('skips ahead instead of flooding the log after a long pause', async () => {
    await processor.updateSettings({ orderRate: 100_000 });
    await processor.start();
    clock += 60_000;
    await waitFor(
      'one tick of orders',
      () => logSize(bus),
      (n) => n === 500,
    );
    // The clock stands still: after skipping ahead nothing more is owed.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await logSize(bus)).toBe(500);
  });
});
