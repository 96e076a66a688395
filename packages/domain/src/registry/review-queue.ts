import type { RuleResult } from '../validation/rules.js';
import type { DecisionStatus, RegisteredOrder, StatusChange } from './registered-order.js';

/** What happens to a pending order left unreviewed past the SLA: decided with reason "expired", or left. */
export const REVIEW_EXPIRY_POLICIES = ['deny', 'accept', 'off'] as const;
export type ReviewExpiryPolicy = (typeof REVIEW_EXPIRY_POLICIES)[number];

/** The reason every expiry decision carries in the order's history. */
export const EXPIRED_REASON = 'expired';
export const EXPIRY_REQUESTER = 'expiry';
const EXPIRY_REQUEST_PREFIX = 'expiry:';

/** One pending order as the review queue shows it. */
export interface ReviewItem {
  readonly registered: RegisteredOrder;
  /** Milliseconds since the order entered the queue (its registration). */
  readonly ageMs: number;
  readonly overdue: boolean;
  readonly failedRules: readonly RuleResult[];
}

export interface ReviewQueue {
  /** Oldest registration first. */
  readonly items: readonly ReviewItem[];
  readonly pendingCount: number;
  /** Overdue among the items read (all of them whenever the queue was read whole). */
  readonly overdueCount: number;
  readonly slaMs: number;
}

export function reviewAgeMs(registered: RegisteredOrder, now: number): number {
  return Math.max(0, now - registered.registeredAt);
}

/** Overdue once it has waited longer than the SLA; an order exactly at the SLA is still on time. */
export function isOverdue(registered: RegisteredOrder, now: number, slaMs: number): boolean {
  return registered.status === 'pending' && reviewAgeMs(registered, now) > slaMs;
}

/**
 * The queue from pending orders in any order: sorted oldest registration first (ties by order id, so
 * every reader shows the same order), each with its age and overdue flag.
 */
export function reviewQueue(
  pending: readonly RegisteredOrder[],
  pendingCount: number,
  now: number,
  slaMs: number,
): ReviewQueue {
  const items = pending
    .filter((r) => r.status === 'pending')
    .toSorted(
      (a, b) =>
        a.registeredAt - b.registeredAt ||
        (a.order.orderId < b.order.orderId ? -1 : a.order.orderId > b.order.orderId ? 1 : 0),
    )
    .map((registered) => ({
      registered,
      ageMs: reviewAgeMs(registered, now),
      overdue: isOverdue(registered, now, slaMs),
      failedRules: registered.failedRules,
    }));
  return {
    items,
    pendingCount: Math.max(pendingCount, items.length),
    overdueCount: items.filter((i) => i.overdue).length,
    slaMs,
  };
}

/**
 * The decision that expires an order. Its request id is derived from the order id, so every instance
 * that expires the same order publishes the same request, and the registry decides a request id once
 * and only a pending order at all: whoever publishes it, and however often, it is applied once.
 */
export function expiryDecision(orderId: string, newStatus: DecisionStatus, now: number): StatusChange {
  return {
    orderId,
    newStatus,
    reason: EXPIRED_REASON,
    requestedAt: now,
    requestId: `${EXPIRY_REQUEST_PREFIX}${orderId}`,
    requestedBy: EXPIRY_REQUESTER,
  };
}

export function isExpiryRequest(requestId: string): boolean {
  return requestId.startsWith(EXPIRY_REQUEST_PREFIX);
}

/** The status an expiry policy decides, or undefined when expiry is off. */
export function expiryStatus(policy: ReviewExpiryPolicy): DecisionStatus | undefined {
  return policy === 'deny' ? 'denied' : policy === 'accept' ? 'accepted' : undefined;
}
