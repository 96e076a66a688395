import { describe, expect, it } from 'vitest';
import type { Order } from '../orders/order.js';
import { validateOrder } from '../validation/validate-order.js';
import { decideStatus, registerOrder, type RegisteredOrder } from './registered-order.js';
import {
  EXPIRED_REASON,
  expiryDecision,
  expiryStatus,
  isExpiryRequest,
  isOverdue,
  reviewQueue,
} from './review-queue.js';

const SLA_MS = 30 * 60_000;
const T0 = 1_700_000_000_000;

/** An order that fails only the price-consistency rule, so it is registered pending review. */
function pendingAt(orderId: string, registeredAt: number): RegisteredOrder {
  const order: Order = {
    orderId,
    customerId: 7,
    productId: 'PROD-001',
    quantity: 2,
    unitPriceCents: 1_050,
    totalCents: 2_500,
    timestamp: registeredAt - 100,
    status: 'pending',
  };
  return registerOrder(order, validateOrder(order), registeredAt).registered;
}

describe('reviewQueue', () => {
  it('lists pending orders oldest first with their age, failed rules and overdue flag', () => {
    const now = T0 + SLA_MS + 60_000;
    const newest = pendingAt('c', T0 + SLA_MS);
    const oldest = pendingAt('b', T0);
    const tie = pendingAt('a', T0);
    const queue = reviewQueue([newest, oldest, tie], 3, now, SLA_MS);
    expect(queue.items.map((i) => i.registered.order.orderId)).toEqual(['a', 'b', 'c']);
    expect(queue.items.map((i) => i.ageMs)).toEqual([SLA_MS + 60_000, SLA_MS + 60_000, 60_000]);
    expect(queue.items.map((i) => i.overdue)).toEqual([true, true, false]);
    expect(queue.items[0]?.failedRules.map((r) => r.ruleName)).toEqual(['price-consistency']);
    expect(queue.overdueCount).toBe(2);
    expect(queue.pendingCount).toBe(3);
  });

  it('leaves out orders decided meanwhile and never reports fewer pending than it lists', () => {
    const decided = decideStatus(pendingAt('x', T0), expiryDecision('x', 'denied', T0), T0 + 1).registered;
    const queue = reviewQueue([decided, pendingAt('y', T0)], 0, T0 + 5, SLA_MS);
    expect(queue.items.map((i) => i.registered.order.orderId)).toEqual(['y']);
    expect(queue.pendingCount).toBe(1);
  });
});

describe('isOverdue', () => {
  it('is on time up to the SLA and overdue after it; decided orders are never overdue', () => {
    const order = pendingAt('o', T0);
    expect(isOverdue(order, T0 + SLA_MS, SLA_MS)).toBe(false);
    expect(isOverdue(order, T0 + SLA_MS + 1, SLA_MS)).toBe(true);
    const decided = decideStatus(order, expiryDecision('o', 'accepted', T0), T0).registered;
    expect(isOverdue(decided, T0 + 2 * SLA_MS, SLA_MS)).toBe(false);
  });
});

describe('expiryDecision', () => {
  it('carries the reason "expired" and one request id per order, whoever makes it', () => {
    const first = expiryDecision('o-1', 'denied', T0);
    const second = expiryDecision('o-1', 'denied', T0 + 999);
    expect(first.reason).toBe(EXPIRED_REASON);
    expect(first.requestId).toBe(second.requestId);
    expect(expiryDecision('o-2', 'denied', T0).requestId).not.toBe(first.requestId);
    expect(isExpiryRequest(first.requestId)).toBe(true);
    expect(isExpiryRequest('0190a1b2-0000-7000-8000-000000000000')).toBe(false);
  });

  it('is applied once: a second expiry of the same order is refused', () => {
    const order = pendingAt('o', T0);
    const once = decideStatus(order, expiryDecision('o', 'denied', T0), T0 + 1);
    expect(once.applied).toBe(true);
    if (!once.applied) return;
    expect(once.update.reason).toBe('expired');
    expect(decideStatus(once.registered, expiryDecision('o', 'denied', T0), T0 + 2).applied).toBe(false);
  });

  it('maps the policy to a status, none when off', () => {
    expect(expiryStatus('deny')).toBe('denied');
    expect(expiryStatus('accept')).toBe('accepted');
    expect(expiryStatus('off')).toBeUndefined();
  });
});
