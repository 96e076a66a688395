import type {
  DecisionRecord,
  Order,
  OrderStatus,
  RegisteredOrder,
  RegistrationEntry,
  RuleResult,
  StatusChange,
  StatusUpdate,
} from '@kafka-monitor/domain';
import type { FeedChange } from '../change-feed.js';
import { bool, num, optStr, orderFromRow, str } from '../rows.js';
import type { Row } from '../session.js';

/** A source partition's position row: the next offset to apply and the partition's share of the counts. */
export interface Shard {
  readonly nextOffset: number;
  readonly processed: number;
  readonly errors: number;
  readonly registered: number;
  readonly pending: number;
  readonly accepted: number;
  readonly denied: number;
  readonly revenue: number;
  readonly validated: number;
  readonly approved: number;
  readonly rejected: number;
}

export const EMPTY_SHARD: Shard = {
  nextOffset: 0,
  processed: 0,
  errors: 0,
  registered: 0,
  pending: 0,
  accepted: 0,
  denied: 0,
  revenue: 0,
  validated: 0,
  approved: 0,
  rejected: 0,
};

export const shardFromRow = (r: Row): Shard => ({
  nextOffset: num(r, 'next_offset'),
  processed: num(r, 'processed_count'),
  errors: num(r, 'error_count'),
  registered: num(r, 'registered_count'),
  pending: num(r, 'pending_count'),
  accepted: num(r, 'accepted_count'),
  denied: num(r, 'denied_count'),
  revenue: num(r, 'accepted_revenue_cents'),
  validated: num(r, 'total_validated'),
  approved: num(r, 'total_approved'),
  rejected: num(r, 'total_rejected'),
});

export const registeredFromRow = (r: Row): RegisteredOrder => ({
  order: orderFromRow(r, 'order_timestamp', 'order_status'),
  status: str(r, 'status') as OrderStatus,
  registeredAt: num(r, 'registered_at'),
  updatedAt: num(r, 'updated_at'),
  version: num(r, 'version'),
  validationPassed: bool(r, 'validation_passed'),
  failedRules: JSON.parse(str(r, 'failed_rules') || '[]') as RuleResult[],
});

export const decisionFromRow = (r: Row): DecisionRecord => ({
  requestId: str(r, 'request_id'),
  orderId: str(r, 'order_id'),
  applied: bool(r, 'applied'),
  reason: optStr(r, 'reason'),
  decidedAt: num(r, 'decided_at'),
});

export const updateValues = (u: StatusUpdate): unknown[] => [
  u.orderId,
  u.version,
  u.previousStatus,
  u.newStatus,
  u.updatedAt,
  u.reason,
  u.requestId,
  u.requestedBy,
];

/** The change feed's entry for a registration (version 1) or a status change. */
export const feedChange = (u: StatusUpdate, order: Order): FeedChange => ({
  kind: u.version === 1 ? 'registered' : 'status',
  orderId: u.orderId,
  status: u.newStatus,
  previousStatus: u.previousStatus,
  version: u.version,
  at: u.updatedAt,
  order,
});

/**
 * A registered_orders row's values, in the column order of `register` and `writeRegistered`, with the
 * registration's history entry (version 1: its status and reason) kept in the row.
 */
export function registeredValues(registered: RegisteredOrder, token: string, first: StatusUpdate): unknown[] {
  const o = registered.order;
  return [
    o.orderId,
    o.customerId,
    o.productId,
    o.quantity,
    o.unitPriceCents / 100,
    o.totalCents / 100,
    registered.status,
    registered.registeredAt,
    registered.updatedAt,
    registered.version,
    registered.validationPassed,
    o.unitPriceCents,
    o.totalCents,
    o.timestamp,
    o.status,
    JSON.stringify(registered.failedRules),
    token,
    first.newStatus,
    first.reason,
  ];
}

/** Version 1 of the history as the order row keeps it; undefined for a row written before it did. */
export function registrationFromRow(r: Row): RegistrationEntry | undefined {
  const initialStatus = optStr(r, 'initial_status');
  const reason = optStr(r, 'registration_reason');
  if (initialStatus === null || reason === null) return undefined;
  return {
    orderId: str(r, 'order_id'),
    initialStatus: initialStatus as OrderStatus,
    registeredAt: num(r, 'registered_at'),
    reason,
  };
}

export function updateFromRow(r: Row): StatusUpdate {
  return {
    orderId: str(r, 'order_id'),
    version: num(r, 'version'),
    previousStatus: optStr(r, 'previous_status') as OrderStatus | null,
    newStatus: str(r, 'new_status') as OrderStatus,
    updatedAt: num(r, 'updated_at'),
    reason: str(r, 'update_reason'),
    requestId: optStr(r, 'request_id'),
    requestedBy: optStr(r, 'requested_by'),
  };
}

/** The history row of a decision replayed after a crash, rebuilt from the registry row when missing. */
export function updateFromRowOr(row: Row | undefined, current: RegisteredOrder, change: StatusChange): StatusUpdate {
  if (row !== undefined) return updateFromRow(row);
  return {
    orderId: change.orderId,
    version: current.version,
    previousStatus: 'pending',
    newStatus: current.status,
    updatedAt: current.updatedAt,
    reason: change.reason ?? `manual decision: ${change.newStatus}`,
    requestId: change.requestId,
    requestedBy: change.requestedBy,
  };
}
