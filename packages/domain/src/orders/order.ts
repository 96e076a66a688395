import type { Cents } from './money.js';

export const ORDER_STATUSES = ['pending', 'accepted', 'denied'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

/**
 * An order as the system handles it. Field names follow TypeScript conventions; the wire codec maps
 * them to the kebab-case keys of the original system. Money is integer cents so sums are exact.
 * `status` stays a plain string: a shape-valid order may carry any status, and rule 6 judges it.
 */
export interface Order {
  readonly orderId: string;
  readonly customerId: number;
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: Cents;
  readonly totalCents: Cents;
  readonly timestamp: number;
  readonly status: string;
}
