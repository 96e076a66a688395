import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import { DEFAULT_RULE_LIMITS, type RuleLimits } from './rule-limits.js';
import { businessRules as businessRulesOf } from './rules.js';
import { registryStatusOf, validateOrder } from './validate-order.js';
import { whatIfFold, type WhatIfReport } from './what-if.js';

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

const run = (current: RuleLimits, proposed: RuleLimits, orders: readonly Order[], maxExamples = 20): WhatIfReport => {
  const fold = whatIfFold(current, proposed, maxExamples);
  for (const o of orders) fold.add(o);
  return fold.finish();
};

const orderArbitrary: fc.Arbitrary<Order> = fc.record({
  orderId: fc.stringMatching(/^[a-f0-9]{1,6}$/),
  customerId: fc.integer({ min: -1, max: 5 }),
  productId: fc.constantFrom('PROD-001', 'PROD-002', ''),
  quantity: fc.integer({ min: 0, max: 200 }),
  unitPriceCents: fc.integer({ min: 1, max: 10_000 }),
  totalCents: fc.integer({ min: 0, max: 2_000_000 }),
  timestamp: fc.integer({ min: 1, max: 20 }),
  status: fc.constantFrom('pending', 'accepted', 'denied', 'shipped'),
});

const limitsArbitrary: fc.Arbitrary<RuleLimits> = fc.record({
  minQuantity: fc.integer({ min: 0, max: 5 }),
  maxQuantity: fc.integer({ min: 5, max: 150 }),
  minTotalCents: fc.integer({ min: 0, max: 1_000 }),
  maxTotalCents: fc.integer({ min: 1_000, max: 1_500_000 }),
  priceToleranceCents: fc.integer({ min: 0, max: 5 }),
});

describe('whatIfFold', () => {
  it('Given max quantity 80, then an order of 90 moves from accepted to pending, with the rule that changed', () => {
    const big = order({ orderId: 'big', quantity: 90, totalCents: 94_500 });
    const report = run(DEFAULT_RULE_LIMITS, { ...DEFAULT_RULE_LIMITS, maxQuantity: 80 }, [order(), big]);
    expect(report.compared).toBe(2);
    expect(report.changed).toBe(1);
    expect(report.transitions).toEqual([{ from: 'accepted', to: 'pending', count: 1 }]);
    expect(report.rules.find((r) => r.ruleName === 'maximum-quantity')).toEqual({
      ruleName: 'maximum-quantity',
      outcome: 'review',
      failingNow: 0,
      failingProposed: 1,
      newlyFailing: 1,
      noLongerFailing: 0,
    });
    expect(report.examples).toEqual([
      {
        order: big,
        from: 'accepted',
        to: 'pending',
        rules: [{ ruleName: 'maximum-quantity', passedNow: true, message: 'Quantity exceeds maximum of 80, got: 90' }],
      },
    ]);
  });

  it('Given a tolerance of 2 cents, then a total 2 cents off moves from pending to accepted', () => {
    const off = order({ totalCents: 2_102 });
    const report = run(DEFAULT_RULE_LIMITS, { ...DEFAULT_RULE_LIMITS, priceToleranceCents: 2 }, [off]);
    expect(report.transitions).toEqual([{ from: 'pending', to: 'accepted', count: 1 }]);
    expect(report.examples[0]?.rules).toEqual([
      { ruleName: 'price-consistency', passedNow: false, message: 'Total mismatch. Expected: $21.0, got: $21.02' },
    ]);
  });

  it('keeps at most the requested number of examples, the first ones met', () => {
    const orders = Array.from({ length: 30 }, (_, i) => order({ orderId: `o-${i}`, quantity: 90, totalCents: 94_500 }));
    const report = run(DEFAULT_RULE_LIMITS, { ...DEFAULT_RULE_LIMITS, maxQuantity: 80 }, orders);
    expect(report.changed).toBe(30);
    expect(report.examples.map((e) => e.order.orderId)).toEqual(orders.slice(0, 20).map((o) => o.orderId));
  });

  it('Property: the same limits change nothing', () => {
    fc.assert(
      fc.property(limitsArbitrary, fc.array(orderArbitrary, { maxLength: 40 }), (limits, orders) => {
        const report = run(limits, limits, orders);
        expect(report.changed).toBe(0);
        expect(report.transitions).toEqual([]);
        expect(report.examples).toEqual([]);
        for (const r of report.rules)
          expect([r.newlyFailing, r.noLongerFailing, r.failingNow - r.failingProposed]).toEqual([0, 0, 0]);
      }),
    );
  });

  it('Property: the counts agree with validating each order twice', () => {
    fc.assert(
      fc.property(
        limitsArbitrary,
        limitsArbitrary,
        fc.array(orderArbitrary, { maxLength: 40 }),
        fc.integer({ min: 0, max: 5 }),
        (current, proposed, orders, maxExamples) => {
          const report = run(current, proposed, orders, maxExamples);
          const changed = orders.filter(
            (o) =>
              registryStatusOf(validateOrder(o, businessRulesOf(current))) !==
              registryStatusOf(validateOrder(o, businessRulesOf(proposed))),
          );
          expect(report.compared).toBe(orders.length);
          expect(report.changed).toBe(changed.length);
          expect(report.transitions.reduce((sum, t) => sum + t.count, 0)).toBe(changed.length);
          expect(report.examples.map((e) => e.order)).toEqual(changed.slice(0, maxExamples));
          for (const r of report.rules)
            expect(r.failingProposed - r.failingNow, r.ruleName).toBe(r.newlyFailing - r.noLongerFailing);
        },
      ),
    );
  });

  it('Property: raising the maximum quantity never makes maximum-quantity fail more', () => {
    fc.assert(
      fc.property(
        limitsArbitrary,
        fc.integer({ min: 0, max: 100 }),
        fc.array(orderArbitrary, { maxLength: 40 }),
        (limits, raise, orders) => {
          const report = run(limits, { ...limits, maxQuantity: limits.maxQuantity + raise }, orders);
          expect(report.rules.find((r) => r.ruleName === 'maximum-quantity')?.newlyFailing).toBe(0);
        },
      ),
    );
  });
});
