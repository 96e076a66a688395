import type { Order } from './order.js';

/** A source of uniform numbers in [0, 1); injected so generation is reproducible in tests. */
export type Random = () => number;

export const PRODUCT_IDS = ['PROD-001', 'PROD-002', 'PROD-003', 'PROD-004', 'PROD-005'] as const;
export const MAX_GENERATED_CUSTOMER_ID = 100;

/** Inclusive integer in [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[randomInt(random, 0, items.length - 1)] as T;
}

export interface OrderSeed {
  readonly orderId: string;
  readonly timestamp: number;
}

/** A well-formed order: customer 1–100, PROD-001…005, quantity 1–10, price 10.00–1000.00, exact total. */
export function generateValidOrder(random: Random, seed: OrderSeed): Order {
  const quantity = randomInt(random, 1, 10);
  const unitPriceCents = randomInt(random, 1_000, 100_000);
  return {
    orderId: seed.orderId,
    customerId: randomInt(random, 1, MAX_GENERATED_CUSTOMER_ID),
    productId: pick(random, PRODUCT_IDS),
    quantity,
    unitPriceCents,
    totalCents: quantity * unitPriceCents,
    timestamp: seed.timestamp,
    status: 'pending',
  };
}

/**
 * Ways to break each rule, in rule order. Each breaks its rule alone, except minimum-quantity: a
 * quantity of 0 forces a total of 0 (or a price mismatch), so it also breaks minimum-total.
 */
const ANOMALIES: readonly ((random: Random, order: Order) => Order)[] = [
  (_r, o) => ({ ...o, quantity: 0, totalCents: 0 }),
  (r, o) => {
    const quantity = randomInt(r, 1_001, 1_500);
    const unitPriceCents = randomInt(r, 1_000, 6_000);
    return { ...o, quantity, unitPriceCents, totalCents: quantity * unitPriceCents };
  },
  (r, o) => {
    const unitPriceCents = randomInt(r, 1, 99);
    return { ...o, quantity: 1, unitPriceCents, totalCents: unitPriceCents };
  },
  (r, o) => {
    const quantity = randomInt(r, 150, 1_000);
    const unitPriceCents = randomInt(r, 70_000, 100_000);
    return { ...o, quantity, unitPriceCents, totalCents: quantity * unitPriceCents };
  },
  (r, o) => {
    const offBy = randomInt(r, 2, 5_000);
    return { ...o, totalCents: o.totalCents + (r() < 0.5 && o.totalCents - offBy >= 100 ? -offBy : offBy) };
  },
  (r, o) => ({ ...o, status: pick(r, ['shipped', 'unknown', 'cancelled']) }),
  (r, o) => ({ ...o, customerId: 0 - randomInt(r, 0, 100) }), // 0 - x, not -x: never a -0 id
  (_r, o) => ({ ...o, productId: '' }),
];

/** A generated order: valid, or with probability `anomalyRate` breaking one rule chosen uniformly. */
export function generateOrder(random: Random, seed: OrderSeed, anomalyRate: number): Order {
  const order = generateValidOrder(random, seed);
  if (random() >= anomalyRate) return order;
  return pick(random, ANOMALIES)(random, order);
}

/**
 * How many orders are due at `elapsedMs` after the pace started, given how many were already sent.
 * Counting from a fixed start (instead of sleeping 1000/rate between orders) keeps the long-run
 * rate exact: timer lateness is made up on the next tick rather than accumulating as drift.
 */
export function ordersDue(ratePerSecond: number, elapsedMs: number, alreadySent: number): number {
  if (ratePerSecond <= 0 || elapsedMs <= 0) return 0;
  return Math.max(0, Math.floor((elapsedMs * ratePerSecond) / 1000) - alreadySent);
}
