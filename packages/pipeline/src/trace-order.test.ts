import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  GROUPS,
  TOPICS,
  decodeRegistryMessage,
  encodeStatusChange,
  encodeValidationMessage,
  noMessageTracing,
  validateOrder,
  type EventBus,
  type Order,
  type Store,
} from '@kafka-monitor/domain';
import { pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { makeOrder } from '@kafka-monitor/testkit';
import { produceOrders } from './produce-orders.js';
import { traceOrder } from './trace-order.js';

/** Later than the log's append times (the bus stamps the clock), so store times follow the sends. */
const NOW = Date.now() + 60_000;
const decoder = new TextDecoder();

describe('traceOrder', () => {
  let bus: EventBus;
  let store: Store;
  const deps = () => ({ bus, store, now: () => NOW });

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    store = createSqliteStore({ file: ':memory:' });
    await bus.ensureTopics(pipelineTopics());
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
  });

  /** What the query and registry processors do with one order, at the positions the log gave. */
  async function process(order: Order): Promise<void> {
    const [ordered] = (await bus.read(TOPICS.orders, 0, 0, 1_000))
      .concat(await bus.read(TOPICS.orders, 1, 0, 1_000), await bus.read(TOPICS.orders, 2, 0, 1_000))
      .filter((m) => m.key === order.orderId);
    if (ordered === undefined) throw new Error('the order is not on the log');
    const from = { topic: TOPICS.orders, partition: ordered.partition };
    await store.views.applyOrders(
      { consumer: GROUPS.queryProcessor, ...from },
      [{ offset: ordered.offset, content: order }],
      NOW + 10,
    );
    const [published] = await bus.publish(TOPICS.registry, [
      {
        key: order.orderId,
        value: encodeValidationMessage(order, validateOrder(order), NOW + 20),
        timestamp: NOW + 25,
      },
    ]);
    if (published === undefined) throw new Error('not published');
    const [message] = await bus.read(TOPICS.registry, published.partition, published.offset, 1);
    const decoded = decodeRegistryMessage(decoder.decode(message?.value));
    if (!decoded.ok) throw new Error(decoded.reason);
    await store.registry.applyRegistryMessages(
      { consumer: GROUPS.registryProcessor, topic: TOPICS.registry, partition: published.partition },
      [{ offset: published.offset, content: decoded.value }],
      NOW + 30,
    );
  }

  it('knows nothing of an order id that never existed', async () => {
    await produceOrders(bus, store.produced, [makeOrder({ orderId: 'other' })]);
    expect(await traceOrder(deps(), 'never-existed')).toBeUndefined();
  });

  it('bounds what an unknown id costs: one partition of orders, at most maxScan messages', async () => {
    await produceOrders(
      bus,
      store.produced,
      Array.from({ length: 40 }, (_, i) => makeOrder({ orderId: `o-${i}` })),
    );
    // Unprocessed messages on `registry` too: a search there would find something to read.
    await bus.publish(
      TOPICS.registry,
      [0, 1, 2].map((i) => ({ key: `r-${i}`, value: '{}' })),
    );
    const reads: { topic: string; limit: number }[] = [];
    const counting: EventBus = {
      ...bus,
      read: (topic, partition, from, limit) => {
        reads.push({ topic, limit });
        return bus.read(topic, partition, from, limit);
      },
    };
    expect(await traceOrder({ bus: counting, store, now: () => NOW }, 'unknown-id', { maxScan: 5 })).toBeUndefined();
    expect(reads.map((r) => r.topic)).toEqual([TOPICS.orders]);
    expect(reads.reduce((sum, r) => sum + r.limit, 0)).toBeLessThanOrEqual(5);
  });

  it('finds an order only in the log by searching its partition, and says what it waits for', async () => {
    const order = makeOrder({ orderId: 'only-in-log', timestamp: NOW });
    await produceOrders(bus, store.produced, [makeOrder({ orderId: 'before-1' }), makeOrder({ orderId: 'before-2' })]);
    await produceOrders(bus, store.produced, [order], { tracing: noMessageTracing, requestId: 'req-9' });
    const journey = await traceOrder(deps(), 'only-in-log');
    expect(journey?.steps).toHaveLength(1);
    const [produced] = journey?.steps ?? [];
    expect(produced).toMatchObject({ kind: 'produced', via: 'api', requestId: 'req-9' });
    expect(produced?.position?.topic).toBe(TOPICS.orders);
    const partition = produced?.position?.partition ?? -1;
    expect(journey?.searches).toEqual([
      {
        topic: TOPICS.orders,
        partition,
        fromOffset: 0,
        toOffset: (produced?.position?.offset ?? -1) + 1,
        truncated: false,
        found: true,
      },
    ]);
    expect(journey?.state.stage).toBe('waiting');
    expect(journey?.state.waitingOn.map((w) => [w.processor, w.topic, w.partition])).toEqual([
      [GROUPS.queryProcessor, TOPICS.orders, partition],
      [GROUPS.registryProcessor, TOPICS.orders, partition],
    ]);
  });

  it('bounds the search, and still shows an order the store recorded as produced', async () => {
    const orders = Array.from({ length: 30 }, (_, i) => makeOrder({ orderId: `bulk-${i}` }));
    await produceOrders(bus, store.produced, orders);
    const last = orders.at(-1)?.orderId ?? '';
    const journey = await traceOrder(deps(), last, { maxScan: 2 });
    expect(journey?.steps).toMatchObject([{ kind: 'produced', via: 'generator', position: null }]);
    expect(journey?.searches).toMatchObject([{ fromOffset: 0, toOffset: 2, truncated: true, found: false }]);
  });

  it('follows a processed order through the views, the registry and a decision, at their offsets', async () => {
    const order = makeOrder({ orderId: 'processed', totalCents: 5_000, timestamp: NOW });
    await produceOrders(bus, store.produced, [order]);
    await process(order);
    const [decision] = await bus.publish(TOPICS.registry, [
      {
        key: order.orderId,
        timestamp: NOW + 45,
        value: encodeStatusChange({
          orderId: order.orderId,
          newStatus: 'denied',
          reason: 'fraud',
          requestedAt: NOW + 40,
          requestId: 'req-d',
          requestedBy: 'ana',
        }),
      },
    ]);
    if (decision === undefined) throw new Error('not published');
    await store.registry.applyRegistryMessages(
      { consumer: GROUPS.registryProcessor, topic: TOPICS.registry, partition: decision.partition },
      [
        {
          offset: decision.offset,
          content: {
            kind: 'status-change',
            change: {
              orderId: order.orderId,
              newStatus: 'denied',
              reason: 'fraud',
              requestedAt: NOW + 40,
              requestId: 'req-d',
              requestedBy: 'ana',
            },
          },
        },
      ],
      NOW + 50,
    );
    const journey = await traceOrder(deps(), 'processed');
    expect(journey?.searches).toEqual([]);
    expect(journey?.steps.map((s) => s.kind)).toEqual([
      'produced',
      'applied',
      'validated',
      'published',
      'registered',
      'decided',
    ]);
    const byKind = new Map(journey?.steps.map((s) => [s.kind, s]));
    const ordersAt = byKind.get('produced')?.position;
    expect(ordersAt?.topic).toBe(TOPICS.orders);
    expect(byKind.get('applied')).toMatchObject({ position: ordersAt, at: NOW + 10 });
    expect(byKind.get('validated')).toMatchObject({ position: ordersAt, at: NOW + 20, rulesFrom: 'log' });
    expect(byKind.get('published')?.position).toMatchObject({ topic: TOPICS.registry });
    expect(byKind.get('registered')).toMatchObject({ at: NOW + 30, status: 'pending', version: 1 });
    expect(byKind.get('registered')?.position).toEqual(byKind.get('published')?.position);
    expect(byKind.get('decided')).toMatchObject({
      position: decision,
      at: NOW + 50,
      status: 'denied',
      by: 'ana',
      reason: 'fraud',
      requestId: 'req-d',
    });
    expect(journey?.state).toMatchObject({ stage: 'denied', waitingOn: [] });
  });

  it('shows a poison message kept under the order id as a dead letter, and its redrive', async () => {
    const [poison] = await bus.publish(TOPICS.orders, [{ key: 'poison-order', value: '{"order-id": ' }]);
    if (poison === undefined) throw new Error('not published');
    const id = `${poison.topic}:${poison.partition}:${poison.offset}`;
    await store.deadLetters.record(
      [
        {
          id,
          ...poison,
          key: 'poison-order',
          value: new TextEncoder().encode('{"order-id": '),
          headers: {},
          group: GROUPS.queryProcessor,
          reason: 'not JSON',
          failedAt: NOW,
        },
      ],
      NOW,
    );
    await store.deadLetters.audit({
      deadLetterId: id,
      action: 'discard',
      at: NOW + 5,
      actor: 'ops',
      note: 'junk',
      editedPayload: null,
      redrivenTo: null,
    });
    const journey = await traceOrder(deps(), 'poison-order');
    // Another producer wrote it: on the log, but never recorded as produced here.
    expect(journey?.steps.map((s) => s.kind)).toEqual(['produced', 'dead-lettered', 'discarded']);
    expect(journey?.steps[0]).toMatchObject({ via: 'log', position: poison });
    expect(journey?.steps[1]).toMatchObject({ position: poison, reason: 'not JSON' });
    expect(journey?.steps[2]).toMatchObject({ actor: 'ops', note: 'junk', sincePreviousMs: 5 });
    expect(journey?.state.stage).toBe('dead-lettered');
  });
});
