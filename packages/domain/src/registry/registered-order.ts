import type { Order, OrderStatus } from '../orders/order.js';
import type { RuleResult } from '../validation/rules.js';
import { registryStatusOf, type ValidationResult } from '../validation/validate-order.js';

export interface RegisteredOrder {
  readonly order: Order;
  readonly status: OrderStatus;
  readonly registeredAt: number;
  readonly updatedAt: number;
  /** 1 at registration, +1 per status change. */
  readonly version: number;
  readonly validationPassed: boolean;
  readonly failedRules: readonly RuleResult[];
}

/** One row of an order's history; version 1 records the registration itself. */
export interface StatusUpdate {
  readonly orderId: string;
  readonly version: number;
  readonly previousStatus: OrderStatus | null;
  readonly newStatus: OrderStatus;
  readonly updatedAt: number;
  readonly reason: string;
  readonly requestId: string | null;
  readonly requestedBy: string | null;
}

export const DECISION_STATUSES = ['accepted', 'denied'] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

export function isDecisionStatus(value: unknown): value is DecisionStatus {
  return value === 'accepted' || value === 'denied';
}

/** An operator's approve/deny, as published on the `registry` topic. */
export interface StatusChange {
  readonly orderId: string;
  readonly newStatus: DecisionStatus;
  readonly reason: string | null;
  readonly requestedAt: number;
  readonly requestId: string;
  readonly requestedBy: string | null;
}

export interface Registration {
  readonly registered: RegisteredOrder;
  readonly update: StatusUpdate;
}

export function registerOrder(order: Order, result: ValidationResult, now: number): Registration {
  const status = registryStatusOf(result);
  const registered: RegisteredOrder = {
    order,
    status,
    registeredAt: now,
    updatedAt: now,
    version: 1,
    validationPassed: result.passed,
    failedRules: result.rules.filter((r) => !r.passed),
  };
  const reason = result.message ?? 'Validation passed';
  return {
    registered,
    update: {
      orderId: order.orderId,
      version: 1,
      previousStatus: null,
      newStatus: status,
      updatedAt: now,
      reason,
      requestId: null,
      requestedBy: null,
    },
  };
}

export type Decision =
  | { readonly applied: true; readonly registered: RegisteredOrder; readonly update: StatusUpdate }
  | { readonly applied: false; readonly reason: string; readonly registered: RegisteredOrder };

/** Only a pending order can be decided; anything else is refused and changes nothing. */
export function decideStatus(current: RegisteredOrder, change: StatusChange, now: number): Decision {
  if (current.status !== 'pending') {
    return { applied: false, reason: `order is ${current.status}, not pending`, registered: current };
  }
  const registered: RegisteredOrder = {
    ...current,
    status: change.newStatus,
    updatedAt: now,
    version: current.version + 1,
  };
  return {
    applied: true,
    registered,
    update: {
      orderId: current.order.orderId,
      version: registered.version,
      previousStatus: current.status,
      newStatus: change.newStatus,
      updatedAt: now,
      reason: change.reason ?? `manual decision: ${change.newStatus}`,
      requestId: change.requestId,
      requestedBy: change.requestedBy,
    },
  };
}

/** What a store keeps of a registration's history entry (version 1) in the order row itself. */
export interface RegistrationEntry {
  readonly orderId: string;
  readonly initialStatus: OrderStatus;
  readonly registeredAt: number;
  readonly reason: string;
}

/**
 * An order's history, newest first: the stored updates, then version 1 built from the order row
 * unless version 1 is stored itself (orders registered before the stores kept it in the row).
 */
export function historyWithRegistration(
  stored: readonly StatusUpdate[],
  registration: RegistrationEntry | undefined,
): StatusUpdate[] {
  const updates = [...stored];
  if (updates.at(-1)?.version === 1 || registration === undefined) return updates;
  updates.push({
    orderId: registration.orderId,
    version: 1,
    previousStatus: null,
    newStatus: registration.initialStatus,
    updatedAt: registration.registeredAt,
    reason: registration.reason,
    requestId: null,
    requestedBy: null,
  });
  return updates;
}
