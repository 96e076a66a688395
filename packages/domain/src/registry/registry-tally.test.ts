import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import { RegistryFold } from '../audit/registry-fold.js';
import { registryStatusOf, type ValidationResult } from '../validation/validate-order.js';
import type { RegisteredOrder } from './registered-order.js';
import { ruleStatsFold } from '../validation/rule-stats.js';
import { RegistryTally, addRuleHits } from './registry-tally.js';

const order = (orderId: string, totalCents: number): Order => ({
  orderId,
  customerId: 1,
  productId: 'PROD-001',
  quantity: 1,
  unitPriceCents: totalCents,
  totalCents,
  timestamp: 1,
  status: 'pending',
});

const registered = (o: Order, status: RegisteredOrder['status'], validationPassed: boolean): RegisteredOrder => ({
  order: o,
  status,
  registeredAt: 1,
  updatedAt: 1,
  version: 1,
  validationPassed,
  failedRules: [],
});

describe('RegistryTally', () => {
  it('Given nothing counted, then it is empty', () => {
    expect(new RegistryTally().isEmpty).toBe(true);
  });

  it('counts registrations by status, validation and accepted revenue', () => {
    const tally = new RegistryTally();
    tally.countRegistration(registered(order('a', 1_000), 'accepted', true));
    tally.countRegistration(registered(order('b', 2_000), 'pending', false));
    tally.countRegistration(registered(order('c', 4_000), 'denied', false));
    expect(tally).toMatchObject({ registered: 3, approved: 1, rejected: 2, revenueCents: 1_000, validated: 3 });
    expect(tally.byStatus).toEqual({ pending: 1, accepted: 1, denied: 1 });
    expect(tally.isEmpty).toBe(false);
  });

  it('moves a decided order between statuses and adds its revenue when it becomes accepted', () => {
    const tally = new RegistryTally();
    const o = order('a', 2_500);
    tally.countRegistration(registered(o, 'pending', false));
    tally.countDecision('pending', { ...registered(o, 'accepted', false), version: 2 });
    expect(tally.byStatus).toEqual({ pending: 0, accepted: 1, denied: 0 });
    expect(tally.revenueCents).toBe(2_500);
  });

  it('Given a decision alone (its registration counted in an earlier batch), then the batch still adds it', () => {
    const tally = new RegistryTally();
    tally.countDecision('pending', registered(order('a', 700), 'denied', false));
    expect(tally.byStatus).toEqual({ pending: -1, accepted: 0, denied: 1 });
    expect(tally.isEmpty).toBe(false);
  });

  it('adds up to the totals the registry fold recomputes from the log', () => {
    const fold = new RegistryFold();
    const tally = new RegistryTally();
    const orders = [order('a', 100), order('b', 200), order('c', 300)];
    const results: ValidationResult[] = [
      { orderId: 'a', passed: true, rules: [], message: '' },
      {
        orderId: 'b',
        passed: false,
        rules: [{ ruleName: 'max-quantity', passed: false, message: 'too many' }],
        message: '',
      },
    ];
    results.forEach((result, i) => {
      const o = orders[i] as Order;
      fold.add({ kind: 'validation', order: o, result, timestamp: 1 });
      tally.countRegistration(registered(o, registryStatusOf(result), result.passed));
    });
    const totals = fold.totals;
    expect([tally.registered, tally.byStatus.accepted, tally.byStatus.pending, tally.revenueCents]).toEqual([
      totals.registeredCount,
      totals.acceptedCount,
      totals.pendingCount,
      totals.acceptedRevenueCents,
    ]);
    expect([tally.validated, tally.approved, tally.rejected]).toEqual([
      totals.totalValidated,
      totals.totalApproved,
      totals.totalRejected,
    ]);
  });

  it('counts each failed rule under the status its order entered with, as the stats fold does', () => {
    const tally = new RegistryTally();
    const fold = ruleStatsFold(10);
    const failed = (...names: string[]) => names.map((ruleName) => ({ ruleName, passed: false, message: 'no' }));
    const cases: [Order, ValidationResult][] = [
      [order('a', 100), { orderId: 'a', passed: true, rules: [], message: null }],
      [order('b', 200), { orderId: 'b', passed: false, rules: failed('price-consistency'), message: 'x' }],
      [
        order('c', 300),
        { orderId: 'c', passed: false, rules: failed('price-consistency', 'valid-customer-id'), message: 'x' },
      ],
    ];
    for (const [o, result] of cases) {
      fold.add(o, result, 1);
      tally.countRegistration({
        ...registered(o, registryStatusOf(result), result.passed),
        failedRules: result.rules.filter((r) => !r.passed),
      });
    }
    expect(tally.ruleHits).toEqual({
      'price-consistency': { denied: 1, review: 1 },
      'valid-customer-id': { denied: 1, review: 0 },
    });
    const all = Object.fromEntries(
      fold
        .finish()
        .rules.filter((r) => r.all.denied + r.all.review > 0)
        .map((r) => [r.ruleName, r.all]),
    );
    expect(tally.ruleHits).toEqual(all);
    // A decision changes statuses, not why an order was held.
    tally.countDecision('pending', { ...registered(order('b', 200), 'accepted', false), version: 2 });
    expect(tally.ruleHits['price-consistency']).toEqual({ denied: 1, review: 1 });
  });

  it('adds rule hits rule by rule, reading a damaged stored count as 0', () => {
    expect(
      addRuleHits(
        { a: { denied: 2, review: 1 }, b: { denied: -1, review: 1.5 } },
        { a: { denied: 1, review: 0 }, c: { denied: 0, review: 4 } },
      ),
    ).toEqual({ a: { denied: 3, review: 1 }, b: { denied: 0, review: 0 }, c: { denied: 0, review: 4 } });
    expect(addRuleHits({}, {})).toEqual({});
  });
});
