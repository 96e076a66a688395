import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import type { RuleResult } from './rules.js';
import { registryStatusOf, validateOrder } from './validate-order.js';

function makeOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'order-1',
    customerId: 7,
    productId: 'PROD-001',
    quantity: 2,
    unitPriceCents: 1_050,
    totalCents: 2_100,
    timestamp: 1_700_000_000_000,
    status: 'pending',
    ...overrides,
  };
}

const RULE_NAMES = [
  'minimum-quantity',
  'maximum-quantity',
  'minimum-total',
  'maximum-total',
  'price-consistency',
  'valid-status',
  'valid-customer-id',
  'valid-product-id',
];

const passed = (ruleName: string): RuleResult => ({ ruleName, passed: true, message: null });
const failed = (ruleName: string): RuleResult => ({ ruleName, passed: false, message: `${ruleName} failed` });

describe('validateOrder', () => {
  it('Given a valid order, then it passes with eight passing rules in order and no message', () => {
    expect(validateOrder(makeOrder())).toStrictEqual({
      orderId: 'order-1',
      passed: true,
      rules: RULE_NAMES.map(passed),
      message: null,
    });
  });

  it('Given one failing rule, then the others still pass and the message names only that failure', () => {
    const result = validateOrder(makeOrder({ status: 'shipped' }));
    expect(result.passed).toBe(false);
    expect(result.rules.map((r) => r.passed)).toEqual([true, true, true, true, true, false, true, true]);
    expect(result.rules[5]).toStrictEqual({
      ruleName: 'valid-status',
      passed: false,
      message: 'Invalid status: shipped',
    });
    expect(result.message).toBe('Validation failed: Invalid status: shipped');
  });

  it('Given an order breaking every rule it can, then all failures are reported in rule order (no short-circuit)', () => {
    // quantity 0 breaks rule 1 (rule 2 cannot fail at the same time), total 0.50 breaks 3 and 5.
    const result = validateOrder(
      makeOrder({
        quantity: 0,
        unitPriceCents: 1_050,
        totalCents: 50,
        status: 'shipped',
        customerId: 0,
        productId: '',
      }),
    );
    expect(result.rules.map((r) => r.ruleName)).toEqual(RULE_NAMES);
    expect(result.rules.map((r) => r.passed)).toEqual([false, true, false, true, false, false, false, false]);
    expect(result.message).toBe(
      'Validation failed: Quantity must be at least 1, got: 0, Total must be at least $1.0, got: $0.5, ' +
        'Total mismatch. Expected: $0.0, got: $0.5, Invalid status: shipped, Invalid customer ID: 0, ' +
        'Product ID cannot be empty',
    );
  });

  it('Given an over-large order, then the review rules 2, 4 and 5 fail together', () => {
    const result = validateOrder(makeOrder({ quantity: 1001, unitPriceCents: 10_000, totalCents: 20_000_000 }));
    expect(result.rules.filter((r) => !r.passed).map((r) => r.message)).toEqual([
      'Quantity exceeds maximum of 1000, got: 1001',
      'Total exceeds maximum of $100000.0, got: $200000.0',
      'Total mismatch. Expected: $100100.0, got: $200000.0',
    ]);
    expect(result.message).toBe(
      'Validation failed: Quantity exceeds maximum of 1000, got: 1001, ' +
        'Total exceeds maximum of $100000.0, got: $200000.0, Total mismatch. Expected: $100100.0, got: $200000.0',
    );
  });

  it('Given a total off by one cent, then it passes; off by two cents, it fails', () => {
    expect(validateOrder(makeOrder({ totalCents: 2_101 })).passed).toBe(true);
    expect(validateOrder(makeOrder({ totalCents: 2_099 })).passed).toBe(true);
    expect(validateOrder(makeOrder({ totalCents: 2_102 })).message).toBe(
      'Validation failed: Total mismatch. Expected: $21.0, got: $21.02',
    );
  });

  it('Given an order, then the result carries its order id and always has eight rules', () => {
    for (const order of [makeOrder({ orderId: 'x' }), makeOrder({ orderId: 'y', quantity: -1 })]) {
      const result = validateOrder(order);
      expect(result.orderId).toBe(order.orderId);
      expect(result.rules).toHaveLength(8);
      for (const r of result.rules) expect(r.passed).toBe(r.message === null);
    }
  });
});

describe('registryStatusOf', () => {
  it('Given all rules passed, then accepted', () => {
    expect(registryStatusOf({ rules: RULE_NAMES.map(passed) })).toBe('accepted');
    expect(registryStatusOf(validateOrder(makeOrder()))).toBe('accepted');
  });

  it('Given no rules at all, then accepted (nothing failed)', () => {
    expect(registryStatusOf({ rules: [] })).toBe('accepted');
  });

  it.each(['minimum-quantity', 'minimum-total', 'valid-status', 'valid-customer-id', 'valid-product-id'])(
    'Given the deny rule %s failed, then denied',
    (name) => {
      expect(registryStatusOf({ rules: RULE_NAMES.map((n) => (n === name ? failed(n) : passed(n))) })).toBe('denied');
    },
  );

  it.each(['maximum-quantity', 'maximum-total', 'price-consistency'])(
    'Given only the review rule %s failed, then pending',
    (name) => {
      expect(registryStatusOf({ rules: RULE_NAMES.map((n) => (n === name ? failed(n) : passed(n))) })).toBe('pending');
    },
  );

  it('Given review and deny rules failed together, then denied wins', () => {
    expect(registryStatusOf({ rules: [failed('maximum-total'), failed('valid-product-id')] })).toBe('denied');
    expect(registryStatusOf(validateOrder(makeOrder({ quantity: 1001, totalCents: 50 })))).toBe('denied');
  });

  it('Given all three review rules failed, then pending', () => {
    expect(
      registryStatusOf({ rules: [failed('maximum-quantity'), failed('maximum-total'), failed('price-consistency')] }),
    ).toBe('pending');
  });

  it('Given an unknown failed rule name (from a newer producer), then pending, not denied', () => {
    expect(registryStatusOf({ rules: [...RULE_NAMES.map(passed), failed('maximum-discount')] })).toBe('pending');
  });

  it('Given an unknown rule that passed, then it does not matter', () => {
    expect(registryStatusOf({ rules: [passed('maximum-discount')] })).toBe('accepted');
    expect(registryStatusOf({ rules: [passed('maximum-discount'), failed('valid-status')] })).toBe('denied');
  });
});
