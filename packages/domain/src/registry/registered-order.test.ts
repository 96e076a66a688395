import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import { validateOrder } from '../validation/validate-order.js';
import {
  DECISION_STATUSES,
  decideStatus,
  historyWithRegistration,
  isDecisionStatus,
  registerOrder,
  type RegisteredOrder,
  type StatusChange,
} from './registered-order.js';

const REGISTERED_AT = 1_700_000_001_000;
const DECIDED_AT = 1_700_000_005_000;

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

function register(order: Order): RegisteredOrder {
  return registerOrder(order, validateOrder(order), REGISTERED_AT).registered;
}

function change(overrides: Partial<StatusChange> = {}): StatusChange {
  return {
    orderId: 'order-1',
    newStatus: 'accepted',
    reason: 'checked with the customer',
    requestedAt: 1_700_000_004_000,
    requestId: 'req-1',
    requestedBy: 'alice',
    ...overrides,
  };
}

/** An order that fails only the price-consistency review rule, so it waits in the review queue. */
const suspicious = makeOrder({ totalCents: 2_500 });

describe('isDecisionStatus', () => {
  it('accepts only accepted and denied', () => {
    expect(DECISION_STATUSES).toEqual(['accepted', 'denied']);
    expect(isDecisionStatus('accepted')).toBe(true);
    expect(isDecisionStatus('denied')).toBe(true);
    expect(isDecisionStatus('pending')).toBe(false);
    expect(isDecisionStatus('ACCEPTED')).toBe(false);
    expect(isDecisionStatus(undefined)).toBe(false);
    expect(isDecisionStatus(1)).toBe(false);
  });
});

describe('registerOrder', () => {
  it('Given an order that passed every rule, then it is registered accepted at version 1 with no failed rules', () => {
    const order = makeOrder();
    const { registered, update } = registerOrder(order, validateOrder(order), REGISTERED_AT);
    expect(registered).toStrictEqual({
      order,
      status: 'accepted',
      registeredAt: REGISTERED_AT,
      updatedAt: REGISTERED_AT,
      version: 1,
      validationPassed: true,
      failedRules: [],
    });
    expect(update).toStrictEqual({
      orderId: 'order-1',
      version: 1,
      previousStatus: null,
      newStatus: 'accepted',
      updatedAt: REGISTERED_AT,
      reason: 'Validation passed',
      requestId: null,
      requestedBy: null,
    });
  });

  it('Given an order failing a deny rule, then it is registered denied with its failed rules and message as reason', () => {
    const order = makeOrder({ productId: '', status: 'shipped' });
    const { registered, update } = registerOrder(order, validateOrder(order), REGISTERED_AT);
    expect(registered.status).toBe('denied');
    expect(registered.version).toBe(1);
    expect(registered.validationPassed).toBe(false);
    expect(registered.failedRules).toStrictEqual([
      { ruleName: 'valid-status', passed: false, message: 'Invalid status: shipped' },
      { ruleName: 'valid-product-id', passed: false, message: 'Product ID cannot be empty' },
    ]);
    expect(update).toMatchObject({
      version: 1,
      previousStatus: null,
      newStatus: 'denied',
      reason: 'Validation failed: Invalid status: shipped, Product ID cannot be empty',
    });
  });

  it('Given an order failing only a review rule, then it is registered pending (review queue)', () => {
    const { registered, update } = registerOrder(suspicious, validateOrder(suspicious), REGISTERED_AT);
    expect(registered.status).toBe('pending');
    expect(registered.failedRules.map((r) => r.ruleName)).toEqual(['price-consistency']);
    expect(update.newStatus).toBe('pending');
    expect(update.reason).toBe('Validation failed: Total mismatch. Expected: $21.0, got: $25.0');
  });

  it('keeps the order itself unchanged, whatever status the order message carried', () => {
    const order = makeOrder({ status: 'accepted', totalCents: 2_500 });
    const registered = register(order);
    expect(registered.order).toBe(order);
    expect(registered.status).toBe('pending');
  });
});

describe('decideStatus', () => {
  it.each(['accepted', 'denied'] as const)(
    'Given a pending order, when decided %s, then it changes at version 2',
    (newStatus) => {
      const current = register(suspicious);
      const decision = decideStatus(current, change({ newStatus }), DECIDED_AT);
      expect(decision).toStrictEqual({
        applied: true,
        registered: { ...current, status: newStatus, updatedAt: DECIDED_AT, version: 2 },
        update: {
          orderId: 'order-1',
          version: 2,
          previousStatus: 'pending',
          newStatus,
          updatedAt: DECIDED_AT,
          reason: 'checked with the customer',
          requestId: 'req-1',
          requestedBy: 'alice',
        },
      });
    },
  );

  it('Given a decision, then registration time, order, and failed rules are kept', () => {
    const current = register(suspicious);
    const decision = decideStatus(current, change(), DECIDED_AT);
    if (!decision.applied) throw new Error('expected the decision to apply');
    expect(decision.registered.registeredAt).toBe(REGISTERED_AT);
    expect(decision.registered.order).toBe(current.order);
    expect(decision.registered.failedRules).toBe(current.failedRules);
    expect(decision.registered.validationPassed).toBe(false);
  });

  it('Given no reason and no requester, then the reason defaults to the manual decision', () => {
    const decision = decideStatus(
      register(suspicious),
      change({ newStatus: 'denied', reason: null, requestedBy: null }),
      DECIDED_AT,
    );
    if (!decision.applied) throw new Error('expected the decision to apply');
    expect(decision.update.reason).toBe('manual decision: denied');
    expect(decision.update.requestedBy).toBeNull();
  });

  it('Given a pending order at version 5, then the decision makes it version 6', () => {
    const current: RegisteredOrder = { ...register(suspicious), version: 5 };
    const decision = decideStatus(current, change(), DECIDED_AT);
    expect(decision.applied && decision.update.version).toBe(6);
    expect(decision.registered.version).toBe(6);
  });

  it.each([
    ['accepted', makeOrder()],
    ['denied', makeOrder({ productId: '' })],
  ] as const)('Given an order that is %s, then the decision is refused and nothing changes', (status, order) => {
    const current = register(order);
    expect(current.status).toBe(status);
    for (const newStatus of DECISION_STATUSES) {
      const decision = decideStatus(current, change({ newStatus }), DECIDED_AT);
      expect(decision).toStrictEqual({
        applied: false,
        reason: `order is ${status}, not pending`,
        registered: current,
      });
      expect(decision.registered).toBe(current);
    }
  });

  it('Given a decided order, then a second decision is refused (only one of two concurrent decisions wins)', () => {
    const first = decideStatus(register(suspicious), change({ newStatus: 'accepted', requestId: 'a' }), DECIDED_AT);
    const second = decideStatus(first.registered, change({ newStatus: 'denied', requestId: 'b' }), DECIDED_AT + 1);
    expect(second).toStrictEqual({
      applied: false,
      reason: 'order is accepted, not pending',
      registered: first.registered,
    });
    expect(second.registered.status).toBe('accepted');
    expect(second.registered.version).toBe(2);
  });
});

describe('historyWithRegistration', () => {
  const { update } = registerOrder(makeOrder(), validateOrder(makeOrder()), REGISTERED_AT);
  const entry = {
    orderId: 'order-1',
    initialStatus: update.newStatus,
    registeredAt: REGISTERED_AT,
    reason: update.reason,
  };
  const decided = {
    ...update,
    version: 2,
    previousStatus: update.newStatus,
    newStatus: 'accepted' as const,
    updatedAt: DECIDED_AT,
    reason: 'manual decision: accepted',
    requestId: 'req-1',
    requestedBy: 'op',
  };

  it('builds version 1 from the order row, after the stored decisions', () => {
    expect(historyWithRegistration([], entry)).toEqual([update]);
    expect(historyWithRegistration([decided], entry)).toEqual([decided, update]);
  });

  it('prefers a stored version 1, and adds none when the row keeps none', () => {
    const stored = { ...update, reason: 'stored' };
    expect(historyWithRegistration([decided, stored], entry)).toEqual([decided, stored]);
    expect(historyWithRegistration([decided], undefined)).toEqual([decided]);
  });
});
