import type { Order } from '@kafka-monitor/domain';

/** Column layout shared by orders, orders_timeline and registered_orders. */
export interface OrderRow {
  order_id: string;
  customer_id: number;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  total_cents: number;
  timestamp: number;
  status: string;
}

export function orderFromRow(row: OrderRow): Order {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    productId: row.product_id,
    quantity: row.quantity,
    unitPriceCents: row.unit_price_cents,
    totalCents: row.total_cents,
    timestamp: row.timestamp,
    status: row.status,
  };
}

export function orderParams(order: Order): (string | number)[] {
  return [
    order.orderId,
    order.customerId,
    order.productId,
    order.quantity,
    order.unitPriceCents,
    order.totalCents,
    order.timestamp,
    order.status,
  ];
}

/** Escapes LIKE wildcards so a user's prefix is matched literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
