import { describe, expect, it } from 'vitest';
import { BUSINESS_RULES } from '../validation/rules.js';
import { validateOrder } from '../validation/validate-order.js';
import {
  MAX_GENERATED_CUSTOMER_ID,
  PRODUCT_IDS,
  generateOrder,
  generateValidOrder,
  ordersDue,
  randomInt,
  type OrderSeed,
  type Random,
} from './generate-order.js';
import type { Order } from './order.js';
import { decodeOrder, encodeOrder } from './order-codec.js';

/** Tiny seeded PRNG (mulberry32) so every run sees the same sequence. */
function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A "random" that replays the given values, for pinning exact branches. */
function replay(...values: number[]): Random {
  let i = 0;
  return () => {
    const value = values[i % values.length];
    i += 1;
    if (value === undefined) throw new Error('replay needs at least one value');
    return value;
  };
}

const seedFor = (i: number): OrderSeed => ({
  orderId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  timestamp: 1_700_000_000_000 + i,
});

function sample(count: number, make: (i: number) => Order): Order[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

const failedRules = (order: Order): string[] =>
  validateOrder(order)
    .rules.filter((r) => !r.passed)
    .map((r) => r.ruleName);

describe('mulberry32 (test helper)', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const fromA = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(fromA);
    expect(Array.from({ length: 1000 }, c)).not.toEqual(fromA);
    expect(fromA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('randomInt', () => {
  it('Given the extremes of [0, 1), then it returns the inclusive bounds', () => {
    expect(randomInt(() => 0, 1, 10)).toBe(1);
    expect(randomInt(() => 0.999999999, 1, 10)).toBe(10);
    expect(randomInt(() => 0.5, 1, 10)).toBe(6);
    expect(randomInt(() => 0.999999999, 5, 5)).toBe(5);
  });

  it('Given many draws, then every value of the range appears and nothing outside it', () => {
    const random = mulberry32(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(randomInt(random, -3, 3));
    expect([...seen].sort((x, y) => x - y)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
  });
});

describe('generateValidOrder', () => {
  const orders = sample(5_000, (i) => generateValidOrder(mulberry32(1_000 + i), seedFor(i)));
  const manyFromOneStream = (() => {
    const random = mulberry32(99);
    return sample(5_000, (i) => generateValidOrder(random, seedFor(i)));
  })();

  it('Given a seed, then order id and timestamp come from it and the status is pending', () => {
    const order = generateValidOrder(mulberry32(3), { orderId: 'the-id', timestamp: 123 });
    expect(order.orderId).toBe('the-id');
    expect(order.timestamp).toBe(123);
    expect(order.status).toBe('pending');
  });

  it('Given the same seed, then the same order is generated', () => {
    expect(generateValidOrder(mulberry32(5), seedFor(1))).toStrictEqual(generateValidOrder(mulberry32(5), seedFor(1)));
  });

  it('Given the lowest random values, then it produces the lower bounds of every range', () => {
    expect(generateValidOrder(() => 0, seedFor(0))).toMatchObject({
      quantity: 1,
      unitPriceCents: 1_000,
      customerId: 1,
      productId: 'PROD-001',
      totalCents: 1_000,
    });
  });

  it('Given the highest random values, then it produces the upper bounds of every range', () => {
    expect(generateValidOrder(() => 0.9999999999, seedFor(0))).toMatchObject({
      quantity: 10,
      unitPriceCents: 100_000,
      customerId: 100,
      productId: 'PROD-005',
      totalCents: 1_000_000,
    });
  });

  it.each([
    ['independent seeds', orders],
    ['one stream', manyFromOneStream],
  ])('Given many orders (%s), then every field stays in its range', (_label, batch) => {
    for (const order of batch) {
      expect(order.customerId).toBeGreaterThanOrEqual(1);
      expect(order.customerId).toBeLessThanOrEqual(MAX_GENERATED_CUSTOMER_ID);
      expect(Number.isInteger(order.customerId)).toBe(true);
      expect(PRODUCT_IDS).toContain(order.productId);
      expect(Number.isInteger(order.quantity)).toBe(true);
      expect(order.quantity).toBeGreaterThanOrEqual(1);
      expect(order.quantity).toBeLessThanOrEqual(10);
      expect(Number.isInteger(order.unitPriceCents)).toBe(true);
      expect(order.unitPriceCents).toBeGreaterThanOrEqual(1_000);
      expect(order.unitPriceCents).toBeLessThanOrEqual(100_000);
      expect(order.totalCents).toBe(order.quantity * order.unitPriceCents);
      expect(order.status).toBe('pending');
    }
  });

  it('Given many orders, then both ends of each range are reached (quantity 10 included)', () => {
    const quantities = new Set(manyFromOneStream.map((o) => o.quantity));
    expect([...quantities].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const customers = new Set(manyFromOneStream.map((o) => o.customerId));
    expect(customers.has(1)).toBe(true);
    expect(customers.has(100)).toBe(true);
    expect(customers.size).toBe(100);
    expect(new Set(manyFromOneStream.map((o) => o.productId))).toEqual(new Set(PRODUCT_IDS));
  });

  it('Given many orders, then unit prices spread over 10.00–1000.00 with cent precision', () => {
    const prices = manyFromOneStream.map((o) => o.unitPriceCents);
    expect(Math.min(...prices)).toBeLessThan(3_000);
    expect(Math.max(...prices)).toBeGreaterThan(98_000);
    expect(prices.some((p) => p % 100 !== 0)).toBe(true);
  });

  it('Given any generated order, then it survives the wire unchanged and passes every rule', () => {
    for (const order of orders) {
      expect(decodeOrder(encodeOrder(order))).toStrictEqual({ ok: true, value: order });
      expect(validateOrder(order).passed).toBe(true);
    }
  });
});

describe('generateOrder', () => {
  it('Given anomalyRate 0, then every order passes validation', () => {
    const random = mulberry32(2024);
    for (let i = 0; i < 5_000; i++) {
      const order = generateOrder(random, seedFor(i), 0);
      expect(validateOrder(order)).toMatchObject({ passed: true, message: null });
    }
  });

  it('Given anomalyRate 1, then every order fails at least one rule, and every rule is broken at least once', () => {
    const random = mulberry32(77);
    const broken = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) {
      const failed = failedRules(generateOrder(random, seedFor(i), 1));
      expect(failed.length).toBeGreaterThan(0);
      for (const name of failed) broken.set(name, (broken.get(name) ?? 0) + 1);
    }
    expect([...broken.keys()].sort()).toEqual(BUSINESS_RULES.map((r) => r.name).sort());
  });

  it('Given anomalyRate 1, then each order breaks one rule alone (minimum-quantity also breaks minimum-total)', () => {
    const random = mulberry32(4242);
    const allowed = [
      ...BUSINESS_RULES.map((r) => JSON.stringify([r.name])),
      JSON.stringify(['minimum-quantity', 'minimum-total']),
    ];
    for (let i = 0; i < 4_000; i++) {
      expect(allowed).toContain(JSON.stringify(failedRules(generateOrder(random, seedFor(i), 1))));
    }
  });

  it('Given anomalyRate 1, then the anomalies are spread evenly over the eight rules', () => {
    const random = mulberry32(31337);
    const counts = new Map<string, number>();
    const n = 16_000;
    for (let i = 0; i < n; i++) {
      const first = failedRules(generateOrder(random, seedFor(i), 1))[0] ?? 'none';
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    expect(counts.size).toBe(8);
    for (const rule of BUSINESS_RULES) {
      const share = (counts.get(rule.name) ?? 0) / n;
      expect(share, rule.name).toBeGreaterThan(0.1);
      expect(share, rule.name).toBeLessThan(0.15);
    }
  });

  it('Given anomalyRate 1, then anomalous orders are still shape-valid messages that round trip exactly', () => {
    const random = mulberry32(8);
    for (let i = 0; i < 4_000; i++) {
      const order = generateOrder(random, seedFor(i), 1);
      expect(decodeOrder(encodeOrder(order))).toStrictEqual({ ok: true, value: order });
    }
  });

  it('Given an invalid-customer anomaly drawing 0, then the id is +0 (never -0, which JSON cannot carry)', () => {
    // valid order draws: quantity, price, customer, product; then the anomaly gate, the anomaly pick (7th of 8 → 0.8) and 0.
    const order = generateOrder(replay(0, 0, 0, 0, 0, 0.8, 0), seedFor(0), 1);
    expect(failedRules(order)).toEqual(['valid-customer-id']);
    expect(Object.is(order.customerId, 0)).toBe(true);
    expect(validateOrder(order).rules[6]?.message).toBe('Invalid customer ID: 0');
  });

  it('Given anomalyRate 0.1, then about a tenth of 20,000 orders fail validation', () => {
    const random = mulberry32(12345);
    const n = 20_000;
    let failing = 0;
    for (let i = 0; i < n; i++) if (!validateOrder(generateOrder(random, seedFor(i), 0.1)).passed) failing += 1;
    expect(failing / n).toBeGreaterThan(0.09);
    expect(failing / n).toBeLessThan(0.11);
  });

  it('Given the anomaly draw just below or at the rate, then the order is anomalous or valid accordingly', () => {
    // Four draws for the valid order, then the gate.
    expect(validateOrder(generateOrder(replay(0.5, 0.5, 0.5, 0.5, 0.29, 0.99, 0.5), seedFor(0), 0.3)).passed).toBe(
      false,
    );
    expect(validateOrder(generateOrder(replay(0.5, 0.5, 0.5, 0.5, 0.3, 0.99, 0.5), seedFor(0), 0.3)).passed).toBe(true);
  });
});

describe('ordersDue', () => {
  it('Given a rate of 500/s, then 500 orders are due after one second', () => {
    expect(ordersDue(500, 1000, 0)).toBe(500);
  });

  it('Given some were already sent, then only the rest are due', () => {
    expect(ordersDue(500, 1000, 480)).toBe(20);
    expect(ordersDue(10, 1000, 10)).toBe(0);
  });

  it('Given partial intervals, then it rounds down (no order before its time)', () => {
    expect(ordersDue(10, 99, 0)).toBe(0);
    expect(ordersDue(10, 100, 0)).toBe(1);
    expect(ordersDue(10, 199, 0)).toBe(1);
    expect(ordersDue(3, 1000, 0)).toBe(3);
    expect(ordersDue(0.5, 1999, 0)).toBe(0);
    expect(ordersDue(0.5, 2000, 0)).toBe(1);
  });

  it('Given a late tick, then the next call catches up in one go', () => {
    let sent = 0;
    sent += ordersDue(500, 10, sent);
    expect(sent).toBe(5);
    // The timer fired 300 ms late.
    const due = ordersDue(500, 320, sent);
    expect(due).toBe(155);
    sent += due;
    expect(sent).toBe(160);
  });

  it('Given ticks every 16 ms for a minute, then exactly rate × seconds orders are sent (no drift)', () => {
    let sent = 0;
    for (let elapsed = 16; elapsed <= 60_000; elapsed += 16) sent += ordersDue(500, elapsed, sent);
    sent += ordersDue(500, 60_000, sent);
    expect(sent).toBe(30_000);
  });

  it('Given irregular ticks, then the running total always equals floor(elapsed × rate / 1000)', () => {
    const random = mulberry32(9);
    let sent = 0;
    let elapsed = 0;
    for (let i = 0; i < 1000; i++) {
      elapsed += Math.floor(random() * 50);
      sent += ordersDue(37, elapsed, sent);
      expect(sent).toBe(Math.floor((elapsed * 37) / 1000));
    }
  });

  it('Given rate 0 or a negative rate, then nothing is due', () => {
    expect(ordersDue(0, 1000, 0)).toBe(0);
    expect(ordersDue(0, 1_000_000, 0)).toBe(0);
    expect(ordersDue(-5, 1000, 0)).toBe(0);
  });

  it('Given no elapsed time, or more already sent than due (rate lowered), then nothing is due', () => {
    expect(ordersDue(500, 0, 0)).toBe(0);
    expect(ordersDue(500, -10, 0)).toBe(0);
    expect(ordersDue(10, 1000, 500)).toBe(0);
  });
});
