import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  TOPICS,
  decodeRegistryMessage,
  encodeOrder,
  encodeStatusChange,
  expiryDecision,
  silentLogger,
  type EventBus,
  type Store,
} from '@kafka-monitor/domain';
import { pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { makeOrder, waitFor } from '@kafka-monitor/testkit';
import { createRegistryProcessor, type RegistryProcessor } from './registry-processor.js';
import type { ReviewExpirySettings } from './review-expiry.js';

const SLA_MS = 30 * 60_000;
const T0 = 1_700_000_000_000;

/** Orders that fail only the price-consistency rule: registered pending review. */
function reviewOrders(count: number) {
  return Array.from({ length: count }, () => makeOrder({ orderId: randomUUID(), totalCents: 99_999 }));
}

async function statusChangesOnRegistry(bus: EventBus): Promise<string[]> {
  const ids: string[] = [];
  for (let partition = 0; partition < 3; partition++) {
    for (const message of await bus.read(TOPICS.registry, partition, 0, 10_000)) {
      const decoded = decodeRegistryMessage(new TextDecoder().decode(message.value));
      if (decoded.ok && decoded.value.kind === 'status-change') ids.push(decoded.value.change.orderId);
    }
  }
  return ids;
}

describe('review expiry with two registry processors', () => {
  let bus: EventBus;
  let store: Store;
  let clock: number;
  let expiredCounted: number;
  let processors: RegistryProcessor[];

  function start(instanceId: string, expiry: ReviewExpirySettings): RegistryProcessor {
    const processor = createRegistryProcessor({
      bus,
      registry: store.registry,
      control: store.control,
      instanceId,
      logger: silentLogger,
      now: () => clock,
      expiry,
      countExpired: (count) => (expiredCounted += count),
    });
    processors.push(processor);
    return processor;
  }

  async function publishAndRegister(orders: readonly ReturnType<typeof makeOrder>[]) {
    const before = (await store.registry.totals()).registeredCount;
    await bus.publish(
      TOPICS.orders,
      orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
    );
    await waitFor(
      'registrations',
      async () => (await store.registry.totals()).registeredCount,
      (n) => n === before + orders.length,
    );
  }

  /** Both members hold registry partitions (the embedded log spreads them round robin). */
  async function bothOwnRegistryPartitions() {
    await waitFor(
      'two members sharing registry',
      async () => (await bus.describeGroup('registry-processor')).members,
      (members) => members.length === 2 && members.every((m) => m.assignments.some((a) => a.topic === TOPICS.registry)),
    );
  }

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    store = createSqliteStore({ file: ':memory:' });
    await bus.ensureTopics(pipelineTopics());
    clock = T0;
    expiredCounted = 0;
    processors = [];
  });

  afterEach(async () => {
    for (const processor of processors) await processor.stop();
    await bus.close();
    await store.close();
  });

  it('decides each overdue order exactly once, by the instance owning its partition, and leaves the others', async () => {
    const a = start('registry-a', { policy: 'deny', slaMs: SLA_MS, everyMs: 0 });
    const b = start('registry-b', { policy: 'deny', slaMs: SLA_MS, everyMs: 0 });
    await a.start();
    await b.start();
    await bothOwnRegistryPartitions();
    const overdue = reviewOrders(30);
    await publishAndRegister(overdue);
    clock = T0 + SLA_MS - 60_000;
    const recent = reviewOrders(5);
    await publishAndRegister(recent);

    // Nothing is overdue yet: an order exactly at the SLA is on time.
    clock = T0 + SLA_MS;
    expect(await Promise.all([a.expireOverdue(), b.expireOverdue()])).toEqual([0, 0]);

    clock = T0 + SLA_MS + 1;
    const [sentByA, sentByB] = await Promise.all([a.expireOverdue(), b.expireOverdue()]);
    // Each overdue order was published by exactly one of the two, and both took a share.
    expect((sentByA ?? 0) + (sentByB ?? 0)).toBe(overdue.length);
    expect(sentByA).toBeGreaterThan(0);
    expect(sentByB).toBeGreaterThan(0);
    const published = await statusChangesOnRegistry(bus);
    expect(published.toSorted()).toEqual(overdue.map((o) => o.orderId).toSorted());

    await waitFor(
      'expired orders decided',
      async () => (await store.registry.totals()).deniedCount,
      (n) => n === overdue.length,
    );
    // Later passes find nothing overdue left: no second decision is even sent.
    expect(await Promise.all([a.expireOverdue(), b.expireOverdue()])).toEqual([0, 0]);
    expect(await statusChangesOnRegistry(bus)).toHaveLength(overdue.length);

    for (const order of overdue) {
      const history = await store.registry.history(order.orderId);
      expect(history.map((h) => [h.version, h.newStatus, h.reason, h.requestedBy])).toEqual([
        [2, 'denied', 'expired', 'expiry'],
        [1, 'pending', history[1]?.reason, null],
      ]);
    }
    for (const order of recent) expect((await store.registry.registered(order.orderId))?.status).toBe('pending');
    const totals = await store.registry.totals();
    expect([totals.pendingCount, totals.deniedCount]).toEqual([recent.length, overdue.length]);
    expect(expiredCounted).toBe(overdue.length);
  });

  it('still decides once when both instances expire the same orders (a rebalance race) and an operator decides too', async () => {
    const a = start('registry-a', { policy: 'accept', slaMs: SLA_MS, everyMs: 0 });
    const b = start('registry-b', { policy: 'accept', slaMs: SLA_MS, everyMs: 0 });
    await a.start();
    await b.start();
    await bothOwnRegistryPartitions();
    const orders = reviewOrders(12);
    await publishAndRegister(orders);
    clock = T0 + SLA_MS + 1;
    // What two owners of one partition would send for a moment during a rebalance: the same request twice.
    const twice = orders.flatMap((o) => [
      expiryDecision(o.orderId, 'accepted', clock),
      expiryDecision(o.orderId, 'accepted', clock + 5),
    ]);
    // And an operator denying the first order at the same time.
    const operator = {
      ...expiryDecision(orders[0]?.orderId ?? '', 'denied', clock),
      requestId: randomUUID(),
      reason: 'fraud',
      requestedBy: 'api',
    };
    await bus.publish(
      TOPICS.registry,
      [...twice, operator].map((change) => ({ key: change.orderId, value: encodeStatusChange(change) })),
    );
    await waitFor(
      'every order decided',
      async () => (await store.registry.totals()).pendingCount,
      (n) => n === 0,
    );
    for (const order of orders) {
      const decisions = (await store.registry.history(order.orderId)).filter((h) => h.version > 1);
      expect(decisions).toHaveLength(1);
    }
    const totals = await store.registry.totals();
    expect(totals.acceptedCount + totals.deniedCount).toBe(orders.length);
    expect(expiredCounted).toBe(totals.acceptedCount);
  });

  it('sends nothing when expiry is off', async () => {
    const a = start('registry-a', { policy: 'off', slaMs: SLA_MS, everyMs: 0 });
    await a.start();
    await publishAndRegister(reviewOrders(3));
    clock = T0 + 10 * SLA_MS;
    expect(await a.expireOverdue()).toBe(0);
    expect(await statusChangesOnRegistry(bus)).toEqual([]);
  });
});
