import type { MessagePosition, Order } from '@kafka-monitor/domain';
import type { Row } from './session.js';

/*
 * Typed reads of plain rows. A missing or mistyped column is a schema bug, not bad input, so these
 * fall back to neutral values instead of throwing in the middle of a read path.
 */
export const num = (row: Row, column: string): number => {
  const value = row[column];
  return typeof value === 'number' ? value : 0;
};

export const optNum = (row: Row, column: string): number | null => {
  const value = row[column];
  return typeof value === 'number' ? value : null;
};

export const str = (row: Row, column: string): string => {
  const value = row[column];
  return typeof value === 'string' ? value : '';
};

export const optStr = (row: Row, column: string): string | null => {
  const value = row[column];
  return typeof value === 'string' ? value : null;
};

export const bool = (row: Row, column: string): boolean => row[column] === true;

/** Shared by orders_recent, orders_timeline and counted_orders, which all keep the order in cents. */
export function orderFromRow(row: Row, timestampColumn = 'timestamp', statusColumn = 'status'): Order {
  return {
    orderId: str(row, 'order_id'),
    customerId: num(row, 'customer_id'),
    productId: str(row, 'product_id'),
    quantity: num(row, 'quantity'),
    unitPriceCents: num(row, 'unit_price_cents'),
    totalCents: num(row, 'total_cents'),
    timestamp: num(row, timestampColumn),
    status: str(row, statusColumn),
  };
}

/** The token that names one log position; claims carry it so a replay recognises its own earlier work. */
export const positionToken = (consumer: string, topic: string, partition: number, offset: number): string =>
  `${consumer}|${topic}|${partition}|${offset}`;

/**
 * The log position a token names; null for a token of another shape. Read from the right: a group
 * name may hold any character, a topic name no `|`.
 */
export function positionOfToken(token: string): MessagePosition | null {
  const parts = token.split('|');
  if (parts.length < 4) return null;
  const [topic = '', partition = '', offset = ''] = parts.slice(-3);
  if (topic === '' || !/^\d+$/.test(partition) || !/^\d+$/.test(offset)) return null;
  return { topic, partition: Number(partition), offset: Number(offset) };
}

/** Integer bucket of a millisecond time, so time-ordered tables never grow one partition without bound. */
export const bucketOf = (time: number, bucketMs: number): number => Math.floor(time / bucketMs);
