import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import { DEFAULT_RULE_LIMITS, ruleLimitProblems } from './rule-limits.js';
import {
  BUSINESS_RULES,
  businessRules,
  MAX_QUANTITY,
  MAX_TOTAL_CENTS,
  MIN_TOTAL_CENTS,
  PRICE_TOLERANCE_CENTS,
  type BusinessRule,
} from './rules.js';

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

function rule(name: string): BusinessRule {
  const found = BUSINESS_RULES.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no rule ${name}`);
  return found;
}

/** The order's failure message for one rule, or null when it passes. */
const check = (name: string, overrides: Partial<Order>): string | null => rule(name).check(makeOrder(overrides));

describe('BUSINESS_RULES', () => {
  it('are the eight rules of section 5, in order, with their outcomes', () => {
    expect(BUSINESS_RULES.map((r) => [r.name, r.outcome])).toEqual([
      ['minimum-quantity', 'deny'],
      ['maximum-quantity', 'review'],
      ['minimum-total', 'deny'],
      ['maximum-total', 'review'],
      ['price-consistency', 'review'],
      ['valid-status', 'deny'],
      ['valid-customer-id', 'deny'],
      ['valid-product-id', 'deny'],
    ]);
  });

  it('use the limits of section 5, in cents', () => {
    expect(MAX_QUANTITY).toBe(1000);
    expect(MIN_TOTAL_CENTS).toBe(100);
    expect(MAX_TOTAL_CENTS).toBe(10_000_000);
    expect(PRICE_TOLERANCE_CENTS).toBe(1);
  });

  it('Given a well-formed order, then every rule passes', () => {
    for (const r of BUSINESS_RULES) expect(r.check(makeOrder()), r.name).toBeNull();
  });
});

describe('1. minimum-quantity', () => {
  it('passes at quantity 1', () => {
    expect(check('minimum-quantity', { quantity: 1, totalCents: 1_050 })).toBeNull();
  });

  it.each([
    [0, 'Quantity must be at least 1, got: 0'],
    [-5, 'Quantity must be at least 1, got: -5'],
  ])('fails at quantity %i', (quantity, message) => {
    expect(check('minimum-quantity', { quantity })).toBe(message);
  });
});

describe('2. maximum-quantity', () => {
  it('passes at quantity 1000', () => {
    expect(check('maximum-quantity', { quantity: 1000 })).toBeNull();
  });

  it('fails at quantity 1001', () => {
    expect(check('maximum-quantity', { quantity: 1001 })).toBe('Quantity exceeds maximum of 1000, got: 1001');
  });
});

describe('3. minimum-total', () => {
  it('passes at exactly $1.00', () => {
    expect(check('minimum-total', { totalCents: 100 })).toBeNull();
  });

  it.each([
    [50, 'Total must be at least $1.0, got: $0.5'],
    [99, 'Total must be at least $1.0, got: $0.99'],
    [0, 'Total must be at least $1.0, got: $0.0'],
    [-1_250, 'Total must be at least $1.0, got: $-12.5'],
  ])('fails at %i cents', (totalCents, message) => {
    expect(check('minimum-total', { totalCents })).toBe(message);
  });
});

describe('4. maximum-total', () => {
  it('passes at exactly $100000.00', () => {
    expect(check('maximum-total', { totalCents: 10_000_000 })).toBeNull();
  });

  it.each([
    [10_000_001, 'Total exceeds maximum of $100000.0, got: $100000.01'],
    [12_345_650, 'Total exceeds maximum of $100000.0, got: $123456.5'],
    [20_000_000, 'Total exceeds maximum of $100000.0, got: $200000.0'],
  ])('fails at %i cents', (totalCents, message) => {
    expect(check('maximum-total', { totalCents })).toBe(message);
  });
});

describe('5. price-consistency', () => {
  it('passes when total = quantity × unit price exactly', () => {
    expect(check('price-consistency', { quantity: 3, unitPriceCents: 1_999, totalCents: 5_997 })).toBeNull();
  });

  it('fails with the expected and actual totals', () => {
    expect(check('price-consistency', { quantity: 2, unitPriceCents: 1_050, totalCents: 2_500 })).toBe(
      'Total mismatch. Expected: $21.0, got: $25.0',
    );
    expect(check('price-consistency', { quantity: 3, unitPriceCents: 1_999, totalCents: 6_000 })).toBe(
      'Total mismatch. Expected: $59.97, got: $60.0',
    );
  });

  it('tolerates exactly one cent either way', () => {
    expect(check('price-consistency', { totalCents: 2_101 })).toBeNull();
    expect(check('price-consistency', { totalCents: 2_099 })).toBeNull();
  });

  it('fails at two cents either way', () => {
    expect(check('price-consistency', { totalCents: 2_102 })).toBe('Total mismatch. Expected: $21.0, got: $21.02');
    expect(check('price-consistency', { totalCents: 2_098 })).toBe('Total mismatch. Expected: $21.0, got: $20.98');
  });

  it('compares in integer cents, so prices that are inexact as floats still match', () => {
    // As floats, 3 × 10.1 = 30.299999999999997 and 7 × 0.1 = 0.7000000000000001.
    expect(3 * 10.1).not.toBe(30.3);
    expect(7 * 0.1).not.toBe(0.7);
    expect(check('price-consistency', { quantity: 3, unitPriceCents: 1_010, totalCents: 3_030 })).toBeNull();
    expect(check('price-consistency', { quantity: 7, unitPriceCents: 10, totalCents: 70 })).toBeNull();
    for (let quantity = 1; quantity <= 10; quantity++) {
      for (let unitPriceCents = 1_000; unitPriceCents <= 100_000; unitPriceCents += 997) {
        const totalCents = quantity * unitPriceCents;
        expect(check('price-consistency', { quantity, unitPriceCents, totalCents })).toBeNull();
        expect(check('price-consistency', { quantity, unitPriceCents, totalCents: totalCents + 2 })).not.toBeNull();
      }
    }
  });
});

describe('6. valid-status', () => {
  it.each(['pending', 'accepted', 'denied'])('passes for %s', (status) => {
    expect(check('valid-status', { status })).toBeNull();
  });

  it.each([
    ['shipped', 'Invalid status: shipped'],
    ['PENDING', 'Invalid status: PENDING'],
    ['', 'Invalid status: '],
  ])('fails for %j', (status, message) => {
    expect(check('valid-status', { status })).toBe(message);
  });
});

describe('7. valid-customer-id', () => {
  it('passes for a positive integer', () => {
    expect(check('valid-customer-id', { customerId: 1 })).toBeNull();
    expect(check('valid-customer-id', { customerId: 2147483647 })).toBeNull();
  });

  it.each([
    [0, 'Invalid customer ID: 0'],
    [-1, 'Invalid customer ID: -1'],
    [1.5, 'Invalid customer ID: 1.5'],
  ])('fails for %d', (customerId, message) => {
    expect(check('valid-customer-id', { customerId })).toBe(message);
  });
});

describe('8. valid-product-id', () => {
  it('passes for a non-empty id', () => {
    expect(check('valid-product-id', { productId: 'P' })).toBeNull();
  });

  it('fails for an empty id', () => {
    expect(check('valid-product-id', { productId: '' })).toBe('Product ID cannot be empty');
  });
});

describe('businessRules(limits)', () => {
  const limits = { minQuantity: 2, maxQuantity: 80, minTotalCents: 500, maxTotalCents: 50_000, priceToleranceCents: 2 };
  const rules = businessRules(limits);
  const checkWith = (name: string, overrides: Partial<Order>): string | null => {
    const found = rules.find((r) => r.name === name);
    if (found === undefined) throw new Error(`no rule ${name}`);
    return found.check(makeOrder(overrides));
  };

  it('are the same eight rules, in the same order, with the same outcomes', () => {
    expect(rules.map((r) => [r.name, r.outcome])).toEqual(BUSINESS_RULES.map((r) => [r.name, r.outcome]));
  });

  it('apply each configured limit at its boundary and name it in the message', () => {
    expect(checkWith('minimum-quantity', { quantity: 2, totalCents: 2_100 })).toBeNull();
    expect(checkWith('minimum-quantity', { quantity: 1 })).toBe('Quantity must be at least 2, got: 1');
    expect(checkWith('maximum-quantity', { quantity: 80, totalCents: 84_000 })).toBeNull();
    expect(checkWith('maximum-quantity', { quantity: 81 })).toBe('Quantity exceeds maximum of 80, got: 81');
    expect(checkWith('minimum-total', { totalCents: 500 })).toBeNull();
    expect(checkWith('minimum-total', { totalCents: 499 })).toBe('Total must be at least $5.0, got: $4.99');
    expect(checkWith('maximum-total', { totalCents: 50_000 })).toBeNull();
    expect(checkWith('maximum-total', { totalCents: 50_001 })).toBe('Total exceeds maximum of $500.0, got: $500.01');
    expect(checkWith('price-consistency', { totalCents: 2_102 })).toBeNull();
    expect(checkWith('price-consistency', { totalCents: 2_103 })).toBe('Total mismatch. Expected: $21.0, got: $21.03');
  });

  it('with the default limits, judge every order as the specification rules do', () => {
    const defaults = businessRules(DEFAULT_RULE_LIMITS);
    fc.assert(
      fc.property(
        fc.integer({ min: -2, max: 2_000 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: -5, max: 20_000_000 }),
        (quantity, unitPriceCents, totalCents) => {
          const order = makeOrder({ quantity, unitPriceCents, totalCents });
          expect(defaults.map((r) => r.check(order))).toEqual(BUSINESS_RULES.map((r) => r.check(order)));
        },
      ),
    );
  });
});

describe('ruleLimitProblems', () => {
  const names = {
    minQuantity: 'min-quantity',
    maxQuantity: 'max-quantity',
    minTotalCents: 'min-total',
    maxTotalCents: 'max-total',
    priceToleranceCents: 'price-tolerance',
  };

  it('accepts the default limits', () => {
    expect(ruleLimitProblems(DEFAULT_RULE_LIMITS, names)).toEqual([]);
  });

  it('names every field that is not a whole number in range', () => {
    expect(
      ruleLimitProblems(
        { minQuantity: -1, maxQuantity: 1.5, minTotalCents: 0, maxTotalCents: 0, priceToleranceCents: Number.NaN },
        names,
      ),
    ).toEqual([
      'min-quantity must be a whole number from 0 to 1000000000',
      'max-quantity must be a whole number from 1 to 1000000000',
      'max-total must be an amount with at most two decimals from 0.01 to 1000000000000',
      'price-tolerance must be an amount with at most two decimals from 0 to 1000000000000',
    ]);
  });

  it('refuses a minimum above its maximum', () => {
    expect(
      ruleLimitProblems(
        { ...DEFAULT_RULE_LIMITS, minQuantity: 5, maxQuantity: 4, minTotalCents: 200, maxTotalCents: 100 },
        names,
      ),
    ).toEqual(['min-quantity must not exceed max-quantity', 'min-total must not exceed max-total']);
  });
});
