import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import type { RegistryMessage } from '../messages/registry-message.js';
import type { RegisteredOrder } from '../registry/registered-order.js';
import { validateOrder } from '../validation/validate-order.js';
import { recomputeViews, type CustomerView } from '../views/views.js';
import { compareRegistration, compareRegistryTotals, compareViews } from './compare.js';
import { rowDrifts } from './drift.js';
import { RegistryFold, type ExpectedRegistration } from './registry-fold.js';
import { ViewsFold } from './views-fold.js';

const order = (overrides: Partial<Order> = {}): Order => ({
  orderId: 'o-1',
  customerId: 7,
  productId: 'PROD-001',
  quantity: 2,
  unitPriceCents: 1_050,
  totalCents: 2_100,
  timestamp: 1_000,
  status: 'pending',
  ...overrides,
});

const orderArbitrary: fc.Arbitrary<Order> = fc.record({
  orderId: fc.stringMatching(/^[a-f0-9]{1,4}$/),
  customerId: fc.integer({ min: -1, max: 5 }),
  productId: fc.constantFrom('PROD-001', 'PROD-002', ''),
  quantity: fc.integer({ min: 0, max: 9 }),
  unitPriceCents: fc.integer({ min: 1, max: 10_000 }),
  totalCents: fc.integer({ min: 0, max: 90_000 }),
  timestamp: fc.integer({ min: 1, max: 9 }),
  status: fc.constant('pending'),
});

const validation = (o: Order): RegistryMessage => ({
  kind: 'validation',
  order: o,
  result: validateOrder(o),
  timestamp: 1,
});
const decision = (orderId: string, requestId: string, newStatus: 'accepted' | 'denied'): RegistryMessage => ({
  kind: 'status-change',
  change: { orderId, newStatus, reason: null, requestedAt: 2, requestId, requestedBy: null },
});
/** An order that fails only a review rule (its total is not quantity × price), so it waits pending. */
const pendingOrder = (orderId: string): Order => order({ orderId, totalCents: 157_500 });

describe('ViewsFold', () => {
  it('Property: folding orders one at a time gives recomputeViews, duplicates included', () => {
    fc.assert(
      fc.property(fc.array(orderArbitrary, { maxLength: 60 }), (orders) => {
        const fold = new ViewsFold();
        for (const o of orders) fold.add(o);
        const reference = recomputeViews(orders);
        expect(fold.totals).toEqual(reference.totals);
        expect(new Map(fold.customers)).toEqual(new Map(reference.customers));
        expect(new Map(fold.products)).toEqual(new Map(reference.products));
      }),
      { numRuns: 300 },
    );
  });
});

describe('rowDrifts', () => {
  const fields = ['a', 'b'] as const;
  it('reports each differing field with both values, and nothing for equal rows', () => {
    expect(rowDrifts('customer', '7', { a: 1, b: 'x' }, { a: 1, b: 'x' }, fields)).toEqual([]);
    expect(rowDrifts('customer', '7', { a: 1, b: 'x' }, { a: 2, b: 'x' }, fields)).toEqual([
      { view: 'customer', key: '7', field: 'a', expected: 1, stored: 2 },
    ]);
  });
  it('reports a row on one side only once, on the field row, with null where it is missing', () => {
    expect(rowDrifts('product', 'P', { a: 1, b: 'x' }, undefined, fields)).toEqual([
      { view: 'product', key: 'P', field: 'row', expected: 'present', stored: null },
    ]);
    expect(rowDrifts('product', 'P', undefined, { a: 1, b: 'x' }, fields)).toEqual([
      { view: 'product', key: 'P', field: 'row', expected: null, stored: 'present' },
    ]);
  });
});

describe('compareViews', () => {
  const fold = new ViewsFold();
  fold.add(order({ orderId: 'a', customerId: 1, productId: 'P1' }));
  fold.add(order({ orderId: 'b', customerId: 2, productId: 'P2', totalCents: 500 }));
  const none = { customers: new Set<number>(), products: new Set<string>(), totals: false };
  const stored = () => ({
    customers: [...fold.customers.values()],
    products: [...fold.products.values()],
    totals: fold.totals,
  });

  it('finds nothing when the store holds the recomputation', () => {
    expect(compareViews(fold, stored(), none)).toEqual([]);
  });

  it('reports a changed customer, a missing product, an extra customer and the totals, sorted', () => {
    const changed = stored();
    const customers = changed.customers.map((c) => (c.customerId === 2 ? { ...c, totalOrders: 5 } : c));
    const drifts = compareViews(
      fold,
      {
        customers: [...customers, { ...(fold.customers.get(1) as CustomerView), customerId: 9 }],
        products: changed.products.filter((p) => p.productId !== 'P1'),
        totals: { ...changed.totals, totalSpentCents: 1 },
      },
      none,
    );
    expect(drifts).toEqual([
      { view: 'customer', key: '2', field: 'totalOrders', expected: 1, stored: 5 },
      { view: 'customer', key: '9', field: 'row', expected: null, stored: 'present' },
      { view: 'product', key: 'P1', field: 'row', expected: 'present', stored: null },
      { view: 'totals', key: 'orders', field: 'totalSpentCents', expected: 2_600, stored: 1 },
    ]);
  });

  it('leaves out rows and totals changed after the cut', () => {
    const changed = stored();
    const drifts = compareViews(
      fold,
      {
        customers: changed.customers.map((c) => ({ ...c, totalOrders: 9 })),
        products: changed.products,
        totals: { ...changed.totals, totalOrders: 3 },
      },
      { customers: new Set([1]), products: new Set(), totals: true },
    );
    expect(drifts.map((d) => `${d.view}:${d.key}`)).toEqual(['customer:2']);
  });
});

describe('RegistryFold', () => {
  it('registers the first validation of an order id and ignores a replay', () => {
    const fold = new RegistryFold();
    const o = order({ orderId: 'x' });
    fold.add(validation(o));
    fold.add(validation({ ...o, quantity: 99 }));
    expect(fold.registrations.get('x')).toEqual({ order: o, status: 'accepted', version: 1, validationPassed: true });
    expect(fold.totals).toMatchObject({ registeredCount: 1, acceptedCount: 1, acceptedRevenueCents: 2_100 });
  });

  it('applies a decision to a pending order once per request id, and never to a decided one', () => {
    const fold = new RegistryFold();
    fold.add(validation(pendingOrder('p')));
    expect(fold.registrations.get('p')?.status).toBe('pending');
    fold.add(decision('p', 'r1', 'accepted'));
    fold.add(decision('p', 'r1', 'accepted'));
    fold.add(decision('p', 'r2', 'denied'));
    expect(fold.registrations.get('p')).toMatchObject({ status: 'accepted', version: 2 });
    expect(fold.totals).toMatchObject({
      registeredCount: 1,
      acceptedCount: 1,
      pendingCount: 0,
      acceptedRevenueCents: 157_500,
      totalValidated: 1,
      totalApproved: 0,
      totalRejected: 1,
    });
  });

  it('refuses a decision that comes before the registration, and does not retry its request id later', () => {
    const fold = new RegistryFold();
    fold.add(decision('q', 'r1', 'accepted'));
    fold.add(validation(pendingOrder('q')));
    fold.add(decision('q', 'r1', 'accepted'));
    expect(fold.registrations.get('q')).toMatchObject({ status: 'pending', version: 1 });
  });
});

describe('compareRegistration and compareRegistryTotals', () => {
  const fold = new RegistryFold();
  fold.add(validation(pendingOrder('p')));
  const expected = fold.registrations.get('p') as ExpectedRegistration;
  const stored: RegisteredOrder = {
    ...expected,
    registeredAt: 5,
    updatedAt: 5,
    failedRules: [],
  };

  it('compares what the log decides, not the store’s own times', () => {
    expect(compareRegistration('p', expected, { ...stored, registeredAt: 99, updatedAt: 99 })).toEqual([]);
    expect(compareRegistration('p', expected, { ...stored, status: 'denied', version: 2 })).toEqual([
      { view: 'registered-order', key: 'p', field: 'status', expected: 'pending', stored: 'denied' },
      { view: 'registered-order', key: 'p', field: 'version', expected: 1, stored: 2 },
    ]);
    expect(compareRegistration('p', expected, { ...stored, order: { ...stored.order, totalCents: 1 } })).toEqual([
      { view: 'registered-order', key: 'p', field: 'totalCents', expected: 157_500, stored: 1 },
    ]);
    expect(compareRegistration('p', expected, undefined)).toEqual([
      { view: 'registered-order', key: 'p', field: 'row', expected: 'present', stored: null },
    ]);
  });

  it('reports each registry total that differs', () => {
    expect(compareRegistryTotals(fold, fold.totals)).toEqual([]);
    expect(compareRegistryTotals(fold, { ...fold.totals, pendingCount: 0 })).toEqual([
      { view: 'registry-totals', key: 'registry', field: 'pendingCount', expected: 1, stored: 0 },
    ]);
  });
});
