import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RegistryMessage } from '../messages/registry-message.js';
import type { Order } from '../orders/order.js';
import { validateOrder } from '../validation/validate-order.js';
import { recomputeViews } from '../views/views.js';
import { RegistryFold } from './registry-fold.js';
import {
  addOrderSnapshot,
  addRegistrySnapshot,
  orderOfSnapshot,
  orderSnapshotRecord,
  registrySnapshotRecord,
  type SnapshotRecord,
} from './snapshot.js';
import { ViewsFold } from './views-fold.js';

const orderArbitrary: fc.Arbitrary<Order> = fc.record({
  orderId: fc.stringMatching(/^[a-f0-9]{1,3}$/),
  customerId: fc.integer({ min: -1, max: 5 }),
  productId: fc.constantFrom('PROD-001', 'PROD-002', ''),
  quantity: fc.integer({ min: 0, max: 9 }),
  unitPriceCents: fc.integer({ min: 1, max: 10_000 }),
  totalCents: fc.integer({ min: 0, max: 90_000 }),
  timestamp: fc.integer({ min: 1, max: 9 }),
  status: fc.constantFrom('pending', 'accepted', 'odd'),
});

const registryArbitrary: fc.Arbitrary<RegistryMessage> = fc.oneof(
  orderArbitrary.map((order): RegistryMessage => ({
    kind: 'validation',
    order,
    result: validateOrder(order),
    timestamp: 1,
  })),
  fc
    .record({
      orderId: fc.stringMatching(/^[a-f0-9]{1,3}$/),
      requestId: fc.stringMatching(/^r[0-3]$/),
      newStatus: fc.constantFrom('accepted' as const, 'denied' as const),
    })
    .map(({ orderId, requestId, newStatus }): RegistryMessage => ({
      kind: 'status-change',
      change: { orderId, newStatus, reason: null, requestedAt: 2, requestId, requestedBy: null },
    })),
);

/** What the log keeps of a folded prefix: the first record of each key, in log order. */
function snapshotOf<T>(messages: readonly T[], record: (message: T) => SnapshotRecord): string[] {
  const kept = new Map<string, string>();
  for (const message of messages) {
    const { key, value } = record(message);
    if (!kept.has(key)) kept.set(key, value);
  }
  return [...kept.values()];
}

const viewsOf = (fold: ViewsFold) => ({
  totals: fold.totals,
  customers: new Map(fold.customers),
  products: new Map(fold.products),
});

describe('snapshots of the folds', () => {
  it('Property: the views from a snapshot at any offset k plus the log after k equal the views from the whole log', () => {
    fc.assert(
      fc.property(fc.array(orderArbitrary, { maxLength: 40 }), (orders) => {
        const whole = new ViewsFold();
        for (const order of orders) whole.add(order);
        for (let k = 0; k <= orders.length; k++) {
          const resumed = new ViewsFold();
          for (const value of snapshotOf(orders.slice(0, k), orderSnapshotRecord)) {
            expect(addOrderSnapshot(resumed, value)).toBe(true);
          }
          for (const order of orders.slice(k)) resumed.add(order);
          expect(viewsOf(resumed)).toEqual(viewsOf(whole));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('Property: recomputeViews over the snapshot orders then the rest is recomputeViews over the whole log, timeline included', () => {
    fc.assert(
      fc.property(fc.array(orderArbitrary, { maxLength: 40 }), fc.nat(), (orders, cut) => {
        const k = orders.length === 0 ? 0 : cut % (orders.length + 1);
        const fromSnapshot = snapshotOf(orders.slice(0, k), orderSnapshotRecord).map((v) => orderOfSnapshot(v));
        expect(fromSnapshot.every((o) => o !== undefined)).toBe(true);
        expect(recomputeViews([...(fromSnapshot as Order[]), ...orders.slice(k)])).toEqual(recomputeViews(orders));
      }),
      { numRuns: 300 },
    );
  });

  it('Property: the registry from a snapshot at any offset k plus the log after k equals the registry from the whole log', () => {
    fc.assert(
      fc.property(fc.array(registryArbitrary, { maxLength: 40 }), (messages) => {
        const whole = new RegistryFold();
        for (const message of messages) whole.add(message);
        for (let k = 0; k <= messages.length; k++) {
          const resumed = new RegistryFold();
          for (const value of snapshotOf(messages.slice(0, k), registrySnapshotRecord)) {
            expect(addRegistrySnapshot(resumed, value)).toBe(true);
          }
          for (const message of messages.slice(k)) resumed.add(message);
          expect(new Map(resumed.registrations)).toEqual(new Map(whole.registrations));
          expect(resumed.totals).toEqual(whole.totals);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps an order as one JSON array and refuses what is not one', () => {
    const order: Order = {
      orderId: '5f0c6f9e-2b5d-4c4e-9a57-8f3b1c2d4e6f',
      customerId: 42,
      productId: 'PROD-007',
      quantity: 3,
      unitPriceCents: 1_999,
      totalCents: 5_997,
      timestamp: 1_765_000_000_000,
      status: 'pending',
    };
    const record = orderSnapshotRecord(order);
    expect(record.key).toBe(order.orderId);
    expect(record.value).toBe(
      '["5f0c6f9e-2b5d-4c4e-9a57-8f3b1c2d4e6f",42,"PROD-007",3,1999,5997,1765000000000,"pending"]',
    );
    expect(orderOfSnapshot(record.value)).toEqual(order);
    const fold = new ViewsFold();
    expect(addOrderSnapshot(fold, '{"not":"an order"}')).toBe(false);
    expect(addOrderSnapshot(fold, 'not json')).toBe(false);
    expect(addRegistrySnapshot(new RegistryFold(), '["v",[],"pending",1]')).toBe(false);
    expect(addRegistrySnapshot(new RegistryFold(), '["c","r1","o1","maybe"]')).toBe(false);
    expect(fold.totals.totalOrders).toBe(0);
  });

  it('keys a validation by its order id and a status change by its request id', () => {
    const order = orderOfSnapshot('["o1",1,"P",1,100,100,5,"pending"]') as Order;
    expect(registrySnapshotRecord({ kind: 'validation', order, result: validateOrder(order), timestamp: 9 })).toEqual({
      key: 'v o1',
      value: '["v",["o1",1,"P",1,100,100,5,"pending"],"accepted",1]',
    });
    expect(
      registrySnapshotRecord({
        kind: 'status-change',
        change: { orderId: 'o1', newStatus: 'denied', reason: 'r', requestedAt: 1, requestId: 'q1', requestedBy: 'x' },
      }),
    ).toEqual({ key: 'c q1', value: '["c","q1","o1","denied"]' });
  });
});
