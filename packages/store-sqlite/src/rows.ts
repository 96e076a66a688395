import type { EffectSource, MessagePosition, Order } from '@kafka-monitor/domain';

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

/** The source columns of counted_orders, registered_orders and status_decisions (NULL before version 6). */
export interface SourceRow {
  source_topic: string | null;
  source_partition: number | null;
  source_offset: number | null;
}

export function positionFromRow(row: SourceRow): MessagePosition | null {
  if (row.source_topic === null || row.source_partition === null || row.source_offset === null) return null;
  return { topic: row.source_topic, partition: row.source_partition, offset: row.source_offset };
}

export function effectSource(row: SourceRow, at: number | null): EffectSource {
  return { position: positionFromRow(row), at };
}
