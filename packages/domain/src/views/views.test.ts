import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import {
  EMPTY_TOTALS,
  averageQuantity,
  compareTimeline,
  evolveCustomer,
  evolveProduct,
  isLaterOrder,
  mergeCustomer,
  mergeProduct,
  mergeViewsBy,
  recomputeViews,
  toTimelineEntry,
  type CustomerView,
  type ProductView,
  type TimelineEntry,
  type Views,
} from './views.js';

function makeOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'order-1',
    customerId: 7,
    productId: 'PROD-001',
    quantity: 2,
    unitPriceCents: 1_050,
    totalCents: 2_100,
    timestamp: 1_000,
    status: 'pending',
    ...overrides,
  };
}

/** Shape-valid orders over a small id space, so customers, products and timestamps collide. */
const orderArbitrary: fc.Arbitrary<Order> = fc.record({
  orderId: fc.stringMatching(/^[a-f0-9]{1,6}$/),
  customerId: fc.integer({ min: -2, max: 6 }),
  productId: fc.constantFrom('PROD-001', 'PROD-002', 'PROD-003', ''),
  quantity: fc.integer({ min: 0, max: 20 }),
  unitPriceCents: fc.integer({ min: 1, max: 100_000 }),
  totalCents: fc.integer({ min: 0, max: 2_000_000 }),
  timestamp: fc.integer({ min: 1, max: 20 }),
  status: fc.constantFrom('pending', 'accepted', 'denied', 'shipped'),
});

const distinctOrders = fc.uniqueArray(orderArbitrary, { selector: (o) => o.orderId, maxLength: 40 });

/** Views as plain sorted data, so equality does not depend on Map insertion order. */
function canonical(views: Views): unknown {
  return {
    customers: [...views.customers.entries()].sort(([a], [b]) => a - b),
    products: [...views.products.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    totals: views.totals,
    timeline: views.timeline,
  };
}

describe('isLaterOrder', () => {
  it('Given a later timestamp, then later regardless of order id', () => {
    expect(isLaterOrder(2, 'a', 1, 'z')).toBe(true);
    expect(isLaterOrder(1, 'z', 2, 'a')).toBe(false);
  });

  it('Given equal timestamps, then the greater order id is later', () => {
    expect(isLaterOrder(5, 'b', 5, 'a')).toBe(true);
    expect(isLaterOrder(5, 'a', 5, 'b')).toBe(false);
  });

  it('Given the same order, then it is not later than itself', () => {
    expect(isLaterOrder(5, 'a', 5, 'a')).toBe(false);
  });

  it('is a strict total order on (timestamp, order id)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.string({ maxLength: 2 }),
        fc.integer({ min: 0, max: 3 }),
        fc.string({ maxLength: 2 }),
        (t1, id1, t2, id2) => {
          const forward = isLaterOrder(t1, id1, t2, id2);
          const backward = isLaterOrder(t2, id2, t1, id1);
          if (t1 === t2 && id1 === id2) expect([forward, backward]).toEqual([false, false]);
          else expect(forward).toBe(!backward);
        },
      ),
    );
  });
});

describe('evolveCustomer', () => {
  it('Given no view, then the first order creates it', () => {
    expect(
      evolveCustomer(undefined, makeOrder({ orderId: 'a', customerId: 3, totalCents: 999, timestamp: 50 })),
    ).toStrictEqual({
      customerId: 3,
      totalOrders: 1,
      totalSpentCents: 999,
      firstOrderTimestamp: 50,
      lastOrderId: 'a',
      lastOrderTimestamp: 50,
    });
  });

  it('Given a later order, then counts and spend grow and the last order moves', () => {
    const view = evolveCustomer(undefined, makeOrder({ orderId: 'a', totalCents: 1_000, timestamp: 50 }));
    expect(evolveCustomer(view, makeOrder({ orderId: 'b', totalCents: 250, timestamp: 80 }))).toStrictEqual({
      customerId: 7,
      totalOrders: 2,
      totalSpentCents: 1_250,
      firstOrderTimestamp: 50,
      lastOrderId: 'b',
      lastOrderTimestamp: 80,
    });
  });

  it('Given an earlier order arriving late, then the first timestamp moves back and the last order stays', () => {
    const view = evolveCustomer(undefined, makeOrder({ orderId: 'b', totalCents: 1_000, timestamp: 80 }));
    expect(evolveCustomer(view, makeOrder({ orderId: 'a', totalCents: 250, timestamp: 50 }))).toStrictEqual({
      customerId: 7,
      totalOrders: 2,
      totalSpentCents: 1_250,
      firstOrderTimestamp: 50,
      lastOrderId: 'b',
      lastOrderTimestamp: 80,
    });
  });

  it('Given two orders with the same timestamp, then the greater order id is the last, in either arrival order', () => {
    const x = makeOrder({ orderId: 'x', timestamp: 60 });
    const y = makeOrder({ orderId: 'y', timestamp: 60 });
    expect(evolveCustomer(evolveCustomer(undefined, x), y).lastOrderId).toBe('y');
    expect(evolveCustomer(evolveCustomer(undefined, y), x).lastOrderId).toBe('y');
  });

  it('Given a view, then the customer id of the view is kept', () => {
    const view: CustomerView = {
      customerId: 9,
      totalOrders: 4,
      totalSpentCents: 100,
      firstOrderTimestamp: 10,
      lastOrderId: 'm',
      lastOrderTimestamp: 20,
    };
    expect(
      evolveCustomer(view, makeOrder({ customerId: 9, orderId: 'n', totalCents: 5, timestamp: 15 })),
    ).toStrictEqual({
      ...view,
      totalOrders: 5,
      totalSpentCents: 105,
    });
  });
});

describe('evolveProduct', () => {
  it('Given no view, then the first order creates it', () => {
    expect(
      evolveProduct(undefined, makeOrder({ productId: 'PROD-002', quantity: 4, totalCents: 800, timestamp: 9 })),
    ).toStrictEqual({
      productId: 'PROD-002',
      totalQuantity: 4,
      totalRevenueCents: 800,
      orderCount: 1,
      lastOrderTimestamp: 9,
    });
  });

  it('Given more orders in any time order, then quantity, revenue and count add up and the last timestamp is the max', () => {
    let view: ProductView | undefined;
    for (const [quantity, totalCents, timestamp] of [
      [4, 800, 9],
      [1, 199, 30],
      [5, 1_000, 12],
    ] as const) {
      view = evolveProduct(view, makeOrder({ quantity, totalCents, timestamp }));
    }
    expect(view).toStrictEqual({
      productId: 'PROD-001',
      totalQuantity: 10,
      totalRevenueCents: 1_999,
      orderCount: 3,
      lastOrderTimestamp: 30,
    });
  });
});

describe('averageQuantity', () => {
  const product = (totalQuantity: number, orderCount: number): ProductView => ({
    productId: 'P',
    totalQuantity,
    totalRevenueCents: 0,
    orderCount,
    lastOrderTimestamp: 0,
  });

  it('is total quantity over order count', () => {
    expect(averageQuantity(product(10, 4))).toBe(2.5);
    expect(averageQuantity(product(9, 3))).toBe(3);
    expect(averageQuantity(product(1, 3))).toBeCloseTo(0.3333333, 6);
  });

  it('is 0 for a product without orders (no division by zero)', () => {
    expect(averageQuantity(product(0, 0))).toBe(0);
  });
});

describe('toTimelineEntry', () => {
  it('copies every order field', () => {
    const order = makeOrder({ orderId: 'q', status: 'shipped' });
    expect(toTimelineEntry(order)).toStrictEqual({ ...order });
  });
});

describe('compareTimeline', () => {
  const entry = (orderId: string, timestamp: number): TimelineEntry =>
    toTimelineEntry(makeOrder({ orderId, timestamp }));

  it('puts the newest first', () => {
    expect(compareTimeline(entry('a', 200), entry('b', 100))).toBeLessThan(0);
    expect(compareTimeline(entry('b', 100), entry('a', 200))).toBeGreaterThan(0);
  });

  it('breaks timestamp ties by order id, greater id first (consistent with isLaterOrder)', () => {
    expect(compareTimeline(entry('b', 100), entry('a', 100))).toBeLessThan(0);
    expect(compareTimeline(entry('a', 100), entry('b', 100))).toBeGreaterThan(0);
    expect(compareTimeline(entry('a', 100), entry('a', 100))).toBe(0);
  });

  it('sorts a mixed list into a single stable order', () => {
    const entries = [entry('c', 1), entry('a', 3), entry('b', 3), entry('d', 2), entry('e', 1)];
    expect([...entries].sort(compareTimeline).map((e) => e.orderId)).toEqual(['b', 'a', 'd', 'e', 'c']);
    expect(
      [...entries]
        .reverse()
        .sort(compareTimeline)
        .map((e) => e.orderId),
    ).toEqual(['b', 'a', 'd', 'e', 'c']);
  });
});

describe('recomputeViews', () => {
  it('Given no orders, then everything is empty', () => {
    const views = recomputeViews([]);
    expect(views.customers.size).toBe(0);
    expect(views.products.size).toBe(0);
    expect(views.timeline).toEqual([]);
    expect(views.totals).toStrictEqual(EMPTY_TOTALS);
  });

  it('Given a few orders, then customers, products, totals and timeline are computed', () => {
    const orders = [
      makeOrder({ orderId: 'a', customerId: 1, productId: 'P1', quantity: 2, totalCents: 2_000, timestamp: 10 }),
      makeOrder({ orderId: 'b', customerId: 2, productId: 'P1', quantity: 3, totalCents: 3_000, timestamp: 30 }),
      makeOrder({
        orderId: 'c',
        customerId: 1,
        productId: 'P2',
        quantity: 1,
        totalCents: 500,
        timestamp: 20,
        status: 'shipped',
      }),
    ];
    const views = recomputeViews(orders);
    expect(views.customers.get(1)).toStrictEqual({
      customerId: 1,
      totalOrders: 2,
      totalSpentCents: 2_500,
      firstOrderTimestamp: 10,
      lastOrderId: 'c',
      lastOrderTimestamp: 20,
    });
    expect(views.customers.get(2)?.totalOrders).toBe(1);
    expect(views.products.get('P1')).toStrictEqual({
      productId: 'P1',
      totalQuantity: 5,
      totalRevenueCents: 5_000,
      orderCount: 2,
      lastOrderTimestamp: 30,
    });
    expect(views.products.get('P2')?.orderCount).toBe(1);
    expect(views.totals).toStrictEqual({ totalOrders: 3, totalSpentCents: 5_500, customerCount: 2, productCount: 2 });
    expect(views.timeline.map((e) => e.orderId)).toEqual(['b', 'c', 'a']);
  });

  it('Given a repeated order id, then it counts once and its first occurrence wins', () => {
    const first = makeOrder({ orderId: 'dup', customerId: 1, totalCents: 1_000, timestamp: 10 });
    const replayed = makeOrder({ orderId: 'dup', customerId: 2, totalCents: 9_999, timestamp: 99 });
    const views = recomputeViews([
      first,
      makeOrder({ orderId: 'other', customerId: 1, totalCents: 1 }),
      replayed,
      first,
    ]);
    expect(views.totals).toStrictEqual({ totalOrders: 2, totalSpentCents: 1_001, customerCount: 1, productCount: 1 });
    expect(views.customers.has(2)).toBe(false);
    expect(views.customers.get(1)?.totalOrders).toBe(2);
    expect(views.timeline.filter((e) => e.orderId === 'dup')).toStrictEqual([toTimelineEntry(first)]);
  });

  it('accepts any iterable, such as a generator', () => {
    function* orders(): Generator<Order> {
      yield makeOrder({ orderId: 'a' });
      yield makeOrder({ orderId: 'b' });
    }
    expect(recomputeViews(orders()).totals.totalOrders).toBe(2);
  });

  it('Property: any permutation of distinct orders gives the same views', () => {
    fc.assert(
      fc.property(
        distinctOrders.chain((orders) =>
          fc.tuple(fc.constant(orders), fc.shuffledSubarray(orders, { minLength: orders.length })),
        ),
        ([orders, permuted]) => {
          expect(permuted).toHaveLength(orders.length);
          expect(canonical(recomputeViews(permuted))).toEqual(canonical(recomputeViews(orders)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Property: duplicates anywhere after the first occurrence change nothing', () => {
    fc.assert(
      fc.property(distinctOrders, fc.array(fc.nat()), (orders, picks) => {
        const replays = orders.length === 0 ? [] : picks.map((p) => orders[p % orders.length] as Order);
        expect(canonical(recomputeViews([...orders, ...replays]))).toEqual(canonical(recomputeViews(orders)));
      }),
      { numRuns: 200 },
    );
  });

  it('Property: the views agree with a direct computation over the orders', () => {
    fc.assert(
      fc.property(distinctOrders, (orders) => {
        const views = recomputeViews(orders);
        const sum = (xs: readonly Order[], f: (o: Order) => number): number => xs.reduce((acc, o) => acc + f(o), 0);
        expect(views.totals).toStrictEqual({
          totalOrders: orders.length,
          totalSpentCents: sum(orders, (o) => o.totalCents),
          customerCount: new Set(orders.map((o) => o.customerId)).size,
          productCount: new Set(orders.map((o) => o.productId)).size,
        });
        for (const [customerId, view] of views.customers) {
          const own = orders.filter((o) => o.customerId === customerId);
          const latest = [...own].sort((a, b) => compareTimeline(toTimelineEntry(a), toTimelineEntry(b)))[0];
          expect(view.totalOrders).toBe(own.length);
          expect(view.totalSpentCents).toBe(sum(own, (o) => o.totalCents));
          expect(view.firstOrderTimestamp).toBe(Math.min(...own.map((o) => o.timestamp)));
          expect(view.lastOrderId).toBe(latest?.orderId);
          expect(view.lastOrderTimestamp).toBe(latest?.timestamp);
        }
        for (const [productId, view] of views.products) {
          const own = orders.filter((o) => o.productId === productId);
          expect(view.orderCount).toBe(own.length);
          expect(view.totalQuantity).toBe(sum(own, (o) => o.quantity));
          expect(view.totalRevenueCents).toBe(sum(own, (o) => o.totalCents));
          expect(view.lastOrderTimestamp).toBe(Math.max(...own.map((o) => o.timestamp)));
        }
        expect(views.timeline).toHaveLength(orders.length);
        for (let i = 1; i < views.timeline.length; i++) {
          const [newer, older] = [views.timeline[i - 1], views.timeline[i]] as [TimelineEntry, TimelineEntry];
          expect(isLaterOrder(newer.timestamp, newer.orderId, older.timestamp, older.orderId)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('merging shards of a view', () => {
  /** The customer and product views of `orders`, folded one order at a time. */
  function folded(orders: readonly Order[]) {
    const customers = new Map<number, CustomerView>();
    const products = new Map<string, ProductView>();
    for (const o of orders) {
      customers.set(o.customerId, evolveCustomer(customers.get(o.customerId), o));
      products.set(o.productId, evolveProduct(products.get(o.productId), o));
    }
    return { customers, products };
  }

  it('Given the orders split among shards in any way, then merging the shards equals folding all the orders', () => {
    fc.assert(
      fc.property(distinctOrders, fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }), (orders, shardOf) => {
        const shards = [0, 1, 2, 3].map((shard) => folded(orders.filter((_, i) => (shardOf[i] ?? 0) === shard)));
        const customers = mergeViewsBy(
          shards.flatMap((s) => [...s.customers.values()]),
          (c) => c.customerId,
          mergeCustomer,
        );
        const products = mergeViewsBy(
          shards.flatMap((s) => [...s.products.values()]),
          (p) => p.productId,
          mergeProduct,
        );
        const whole = recomputeViews(orders);
        expect(new Map([...customers].sort(([a], [b]) => a - b))).toEqual(
          new Map([...whole.customers].sort(([a], [b]) => a - b)),
        );
        expect(new Map([...products].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(
          new Map([...whole.products].sort(([a], [b]) => (a < b ? -1 : 1))),
        );
      }),
    );
  });

  it('is commutative and associative', () => {
    const customerOf = (orders: readonly Order[]) =>
      orders
        .slice(1)
        .reduce<CustomerView>(
          (view, o) => evolveCustomer(view, { ...o, customerId: 1 }),
          evolveCustomer(undefined, { ...(orders[0] as Order), customerId: 1 }),
        );
    const nonEmpty = distinctOrders.filter((orders) => orders.length > 0);
    fc.assert(
      fc.property(nonEmpty, nonEmpty, nonEmpty, (x, y, z) => {
        const [a, b, c] = [customerOf(x), customerOf(y), customerOf(z)];
        expect(mergeCustomer(a, b)).toEqual(mergeCustomer(b, a));
        expect(mergeCustomer(mergeCustomer(a, b), c)).toEqual(mergeCustomer(a, mergeCustomer(b, c)));
      }),
    );
  });

  it('Given one view of a product, then merging leaves it as it is', () => {
    const view = evolveProduct(undefined, makeOrder());
    expect(mergeViewsBy([view], (p) => p.productId, mergeProduct)).toEqual(new Map([['PROD-001', view]]));
  });
});
