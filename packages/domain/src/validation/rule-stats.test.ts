import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import { BUSINESS_RULES } from './rules.js';
import { DAY_MS, HOUR_MS, ruleStatsFold, withAllTimeHits, type RuleStats } from './rule-stats.js';
import { registryStatusOf, validateOrder } from './validate-order.js';

const NOW = 1_800_000_000_000;

const order = (overrides: Partial<Order> = {}): Order => ({
  orderId: 'o-1',
  customerId: 7,
  productId: 'PROD-001',
  quantity: 2,
  unitPriceCents: 1_050,
  totalCents: 2_100,
  timestamp: 1,
  status: 'pending',
  ...overrides,
});

const stats = (entries: readonly (readonly [Order, number])[]): RuleStats => {
  const fold = ruleStatsFold(NOW, 2);
  for (const [o, at] of entries) fold.add(o, validateOrder(o), at);
  return fold.finish();
};

const ruleOf = (s: RuleStats, name: string) => {
  const found = s.rules.find((r) => r.ruleName === name);
  if (found === undefined) throw new Error(`no rule ${name}`);
  return found;
};

describe('ruleStatsFold', () => {
  it('lists the eight rules in order, with zero counts when nothing failed', () => {
    const s = stats([[order(), NOW]]);
    expect(s.orders).toBe(1);
    expect(s.rules.map((r) => r.ruleName)).toEqual(BUSINESS_RULES.map((r) => r.name));
    for (const r of s.rules) expect(r.all).toEqual({ denied: 0, review: 0 });
  });

  it('counts each window by validation time, and denied or review by the status the order entered with', () => {
    const tooMany = (id: string, customerId: number) =>
      order({ orderId: id, customerId, quantity: 1_001, totalCents: 1_051_050 });
    const s = stats([
      [tooMany('a', 1), NOW - 10],
      [tooMany('b', 2), NOW - HOUR_MS - 1],
      [tooMany('c', 2), NOW - DAY_MS - 1],
      // fails maximum-quantity and valid-product-id: denied, never in the review queue
      [order({ orderId: 'd', customerId: 3, productId: '', quantity: 1_001, totalCents: 1_051_050 }), NOW - 5],
    ]);
    const maxQuantity = ruleOf(s, 'maximum-quantity');
    expect(maxQuantity.lastHour).toEqual({ denied: 1, review: 1 });
    expect(maxQuantity.lastDay).toEqual({ denied: 1, review: 2 });
    expect(maxQuantity.all).toEqual({ denied: 1, review: 3 });
    expect(maxQuantity.topCustomers).toEqual([
      { key: 2, count: 2 },
      { key: 1, count: 1 },
    ]);
    expect(maxQuantity.topProducts).toEqual([
      { key: 'PROD-001', count: 3 },
      { key: '', count: 1 },
    ]);
    expect(ruleOf(s, 'valid-product-id').all).toEqual({ denied: 1, review: 0 });
    expect(s.oldestValidatedAt).toBe(NOW - DAY_MS - 1);
  });

  it('counts an order once when its validation result was published twice', () => {
    const bad = order({ productId: '' });
    const s = stats([
      [bad, NOW - 1],
      [bad, NOW],
    ]);
    expect(s.orders).toBe(1);
    expect(ruleOf(s, 'valid-product-id').all).toEqual({ denied: 1, review: 0 });
  });

  it('Property: every window is within the next, and all counts add up to the failed rules of distinct orders', () => {
    const arbitrary = fc.array(
      fc.tuple(
        fc.record({
          orderId: fc.stringMatching(/^[a-f0-9]{1,4}$/),
          customerId: fc.integer({ min: -1, max: 4 }),
          productId: fc.constantFrom('PROD-001', 'PROD-002', ''),
          quantity: fc.integer({ min: 0, max: 1_200 }),
          unitPriceCents: fc.integer({ min: 1, max: 100 }),
          totalCents: fc.integer({ min: 0, max: 200_000 }),
          timestamp: fc.constant(1),
          status: fc.constantFrom('pending', 'shipped'),
        }),
        fc.integer({ min: NOW - 2 * DAY_MS, max: NOW }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arbitrary, (entries) => {
        const s = stats(entries);
        const firsts = new Map<string, Order>();
        for (const [o] of entries) if (!firsts.has(o.orderId)) firsts.set(o.orderId, o);
        expect(s.orders).toBe(firsts.size);
        let failed = 0;
        for (const o of firsts.values()) {
          const result = validateOrder(o);
          if (registryStatusOf(result) !== 'accepted') failed += result.rules.filter((r) => !r.passed).length;
        }
        expect(s.rules.reduce((sum, r) => sum + r.all.denied + r.all.review, 0)).toBe(failed);
        for (const r of s.rules) {
          expect(r.lastHour.denied).toBeLessThanOrEqual(r.lastDay.denied);
          expect(r.lastDay.denied).toBeLessThanOrEqual(r.all.denied);
          expect(r.lastHour.review).toBeLessThanOrEqual(r.lastDay.review);
          expect(r.lastDay.review).toBeLessThanOrEqual(r.all.review);
          if (r.outcome === 'deny') expect(r.all.review).toBe(0);
        }
      }),
    );
  });
});

describe('withAllTimeHits', () => {
  it("puts the registry's counts in all, keeps the windows and top lists read, and lists rules only counted", () => {
    const read = stats([[order({ customerId: 0 }), NOW - 1]]);
    const merged = withAllTimeHits(read, {
      'valid-customer-id': { denied: 40, review: 0 },
      'retired-rule': { denied: 0, review: 3 },
    });
    const rule = (name: string) => merged.rules.find((r) => r.ruleName === name);
    expect(rule('valid-customer-id')).toMatchObject({
      all: { denied: 40, review: 0 },
      lastHour: { denied: 1, review: 0 },
      topCustomers: [{ key: 0, count: 1 }],
    });
    expect(rule('maximum-quantity')?.all).toEqual({ denied: 0, review: 0 });
    expect(merged.rules.at(-1)).toMatchObject({ ruleName: 'retired-rule', all: { denied: 0, review: 3 } });
    expect(merged.rules).toHaveLength(read.rules.length + 1);
    expect(merged.orders).toBe(read.orders);
  });
});
