import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  DEFAULT_RULE_LIMITS,
  TOPICS,
  encodeOrder,
  encodeValidationMessage,
  validateOrder,
  type EventBus,
  type Order,
} from '@kafka-monitor/domain';
import { pipelineTopics } from '@kafka-monitor/runtime';
import { makeOrder } from '@kafka-monitor/testkit';
import { readRuleStats, simulateRules, tailRanges } from './rule-analytics.js';

const NOW = Date.now() + 60_000;

describe('rule analytics on the log', () => {
  let bus: EventBus;
  const deps = () => ({ bus, now: () => NOW, sleep: () => Promise.resolve() });

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    await bus.ensureTopics(pipelineTopics());
  });
  afterEach(() => bus.close());

  const publishOrders = (orders: readonly Order[]) =>
    bus.publish(
      TOPICS.orders,
      orders.map((o) => ({ key: o.orderId, value: encodeOrder(o) })),
    );

  it('tailRanges takes the newest messages from each partition, as many as asked in all', async () => {
    await publishOrders(Array.from({ length: 90 }, (_, i) => makeOrder({ orderId: `o-${i}` })));
    const { ranges, retained } = await tailRanges(bus, TOPICS.orders, 30);
    expect(retained).toBe(90);
    expect(ranges.reduce((sum, r) => sum + r.to - r.from, 0)).toBe(30);
    const ends = (await bus.listTopics()).find((t) => t.name === TOPICS.orders)?.endOffsets ?? [];
    for (const r of ranges) expect(r.to).toBe(ends[r.partition]);
    expect((await tailRanges(bus, TOPICS.orders, 1_000)).ranges.reduce((sum, r) => sum + r.to - r.from, 0)).toBe(90);
  });

  it('simulateRules replays the newest orders under both limits and skips poison, producing nothing', async () => {
    const big = Array.from({ length: 5 }, (_, i) =>
      makeOrder({ orderId: `big-${i}`, quantity: 90, unitPriceCents: 100, totalCents: 9_000 }),
    );
    const small = Array.from({ length: 20 }, (_, i) => makeOrder({ orderId: `small-${i}` }));
    await publishOrders([...big, ...small]);
    await bus.publish(TOPICS.orders, [{ key: 'x', value: 'not json' }]);
    const before = await bus.listTopics();
    const report = await simulateRules(
      deps(),
      DEFAULT_RULE_LIMITS,
      { ...DEFAULT_RULE_LIMITS, maxQuantity: 80 },
      10_000,
    );
    expect(report).toMatchObject({ read: 26, undecodable: 1, compared: 25, changed: 5 });
    expect(report.transitions).toEqual([{ from: 'accepted', to: 'pending', count: 5 }]);
    expect(report.examples.map((e) => e.order.orderId).sort()).toEqual(big.map((o) => o.orderId).sort());
    expect(await bus.listTopics()).toEqual(before);
  });

  it('readRuleStats counts the validation results on registry, bounded by the scan limit', async () => {
    const orders = [
      makeOrder({ orderId: 'a', productId: '' }),
      makeOrder({ orderId: 'b', quantity: 2_000, unitPriceCents: 100, totalCents: 200_000 }),
      makeOrder({ orderId: 'c' }),
    ];
    await bus.publish(
      TOPICS.registry,
      orders.map((o) => ({ key: o.orderId, value: encodeValidationMessage(o, validateOrder(o), NOW - 1_000) })),
    );
    const all = await readRuleStats(deps(), 100);
    expect(all).toMatchObject({ orders: 3, scanned: 3, complete: true, computedAt: NOW });
    expect(all.rules.find((r) => r.ruleName === 'valid-product-id')?.lastHour).toEqual({ denied: 1, review: 0 });
    expect(all.rules.find((r) => r.ruleName === 'maximum-quantity')?.all).toEqual({ denied: 0, review: 1 });
    const bounded = await readRuleStats(deps(), 1);
    expect(bounded).toMatchObject({ scanned: 1, complete: false, scanLimit: 1 });
  });
});
