import type { Cents } from '../orders/money.js';
import type { Order } from '../orders/order.js';

export interface CustomerView {
  readonly customerId: number;
  readonly totalOrders: number;
  readonly totalSpentCents: Cents;
  readonly firstOrderTimestamp: number;
  readonly lastOrderId: string;
  readonly lastOrderTimestamp: number;
}

export interface ProductView {
  readonly productId: string;
  readonly totalQuantity: number;
  readonly totalRevenueCents: Cents;
  readonly orderCount: number;
  readonly lastOrderTimestamp: number;
}

export interface TimelineEntry {
  readonly orderId: string;
  readonly customerId: number;
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceCents: Cents;
  readonly totalCents: Cents;
  readonly timestamp: number;
  readonly status: string;
}

/** All-time totals over distinct orders; every field is O(1) to read. */
export interface OrderTotals {
  readonly totalOrders: number;
  readonly totalSpentCents: Cents;
  readonly customerCount: number;
  readonly productCount: number;
}

export const EMPTY_TOTALS: OrderTotals = { totalOrders: 0, totalSpentCents: 0, customerCount: 0, productCount: 0 };

/**
 * "Latest" must not depend on arrival order, or two replicas fed different interleavings would
 * disagree: ties on timestamp are broken by order id.
 */
export function isLaterOrder(timestamp: number, orderId: string, thanTimestamp: number, thanOrderId: string): boolean {
  return timestamp > thanTimestamp || (timestamp === thanTimestamp && orderId > thanOrderId);
}

/** Folds one distinct order into a customer view. Commutative, so partitions may interleave freely. */
export function evolveCustomer(view: CustomerView | undefined, order: Order): CustomerView {
  if (view === undefined) {
    return {
      customerId: order.customerId,
      totalOrders: 1,
      totalSpentCents: order.totalCents,
      firstOrderTimestamp: order.timestamp,
      lastOrderId: order.orderId,
      lastOrderTimestamp: order.timestamp,
    };
  }
  const later = isLaterOrder(order.timestamp, order.orderId, view.lastOrderTimestamp, view.lastOrderId);
  return {
    customerId: view.customerId,
    totalOrders: view.totalOrders + 1,
    totalSpentCents: view.totalSpentCents + order.totalCents,
    firstOrderTimestamp: Math.min(view.firstOrderTimestamp, order.timestamp),
    lastOrderId: later ? order.orderId : view.lastOrderId,
    lastOrderTimestamp: later ? order.timestamp : view.lastOrderTimestamp,
  };
}

export function evolveProduct(view: ProductView | undefined, order: Order): ProductView {
  if (view === undefined) {
    return {
      productId: order.productId,
      totalQuantity: order.quantity,
      totalRevenueCents: order.totalCents,
      orderCount: 1,
      lastOrderTimestamp: order.timestamp,
    };
  }
  return {
    productId: view.productId,
    totalQuantity: view.totalQuantity + order.quantity,
    totalRevenueCents: view.totalRevenueCents + order.totalCents,
    orderCount: view.orderCount + 1,
    lastOrderTimestamp: Math.max(view.lastOrderTimestamp, order.timestamp),
  };
}

/**
 * Two views of one customer built from disjoint sets of orders (shards of different source partitions)
 * as one: sums, the earliest first order, the latest order by (timestamp, id). Commutative and
 * associative, so shards merge in any order to what one fold of all their orders gives.
 */
export function mergeCustomer(a: CustomerView, b: CustomerView): CustomerView {
  const later = isLaterOrder(b.lastOrderTimestamp, b.lastOrderId, a.lastOrderTimestamp, a.lastOrderId);
  return {
    customerId: a.customerId,
    totalOrders: a.totalOrders + b.totalOrders,
    totalSpentCents: a.totalSpentCents + b.totalSpentCents,
    firstOrderTimestamp: Math.min(a.firstOrderTimestamp, b.firstOrderTimestamp),
    lastOrderId: later ? b.lastOrderId : a.lastOrderId,
    lastOrderTimestamp: later ? b.lastOrderTimestamp : a.lastOrderTimestamp,
  };
}

/** As mergeCustomer, for one product's views. */
export function mergeProduct(a: ProductView, b: ProductView): ProductView {
  return {
    productId: a.productId,
    totalQuantity: a.totalQuantity + b.totalQuantity,
    totalRevenueCents: a.totalRevenueCents + b.totalRevenueCents,
    orderCount: a.orderCount + b.orderCount,
    lastOrderTimestamp: Math.max(a.lastOrderTimestamp, b.lastOrderTimestamp),
  };
}

/** Merges views of the same key (mergeCustomer or mergeProduct), one view per key in the result. */
export function mergeViewsBy<K, V>(views: Iterable<V>, keyOf: (view: V) => K, merge: (a: V, b: V) => V): Map<K, V> {
  const merged = new Map<K, V>();
  for (const view of views) {
    const key = keyOf(view);
    const seen = merged.get(key);
    merged.set(key, seen === undefined ? view : merge(seen, view));
  }
  return merged;
}

export function averageQuantity(view: ProductView): number {
  return view.orderCount === 0 ? 0 : view.totalQuantity / view.orderCount;
}

export function toTimelineEntry(order: Order): TimelineEntry {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    productId: order.productId,
    quantity: order.quantity,
    unitPriceCents: order.unitPriceCents,
    totalCents: order.totalCents,
    timestamp: order.timestamp,
    status: order.status,
  };
}

/** Timeline order: newest first; ties broken by order id so pages are stable. */
export function compareTimeline(a: TimelineEntry, b: TimelineEntry): number {
  if (a.timestamp !== b.timestamp) return b.timestamp - a.timestamp;
  return a.orderId < b.orderId ? 1 : a.orderId > b.orderId ? -1 : 0;
}

export interface Views {
  readonly customers: ReadonlyMap<number, CustomerView>;
  readonly products: ReadonlyMap<string, ProductView>;
  readonly totals: OrderTotals;
  /** Every distinct order, newest first. */
  readonly timeline: readonly TimelineEntry[];
}

/**
 * The reference projection: views computed from scratch over a sequence of orders, where a repeated
 * order id counts once (its first occurrence). Stores must always agree with this function.
 */
export function recomputeViews(orders: Iterable<Order>): Views {
  const seen = new Set<string>();
  const customers = new Map<number, CustomerView>();
  const products = new Map<string, ProductView>();
  const timeline: TimelineEntry[] = [];
  let totalSpentCents = 0;
  for (const order of orders) {
    if (seen.has(order.orderId)) continue;
    seen.add(order.orderId);
    customers.set(order.customerId, evolveCustomer(customers.get(order.customerId), order));
    products.set(order.productId, evolveProduct(products.get(order.productId), order));
    timeline.push(toTimelineEntry(order));
    totalSpentCents += order.totalCents;
  }
  timeline.sort(compareTimeline);
  return {
    customers,
    products,
    timeline,
    totals: { totalOrders: seen.size, totalSpentCents, customerCount: customers.size, productCount: products.size },
  };
}
