import { createHash } from 'node:crypto';
import type { Order, ProducedOrderStore } from '@kafka-monitor/domain';
import { newestFirst, bucketMarks } from './buckets.js';
import { bucketOf, orderFromRow, str } from './rows.js';
import type { Keyspaces } from './schema.js';
import { decimalFromCents, uuidFor, type Session } from './session.js';

const SERIES = 'orders';
/** The row of order_processor.statistics counting the orders produced. */
export const ORDERS_PRODUCED = 'orders_produced';
const sha1 = (text: string): Buffer => createHash('sha1').update(`kafka-monitor:${text}`).digest();

/**
 * order_processor.orders keeps the original's uuid key and decimal money; `order_key` holds the id as
 * text (ids that are not uuids get a name-based uuid), and orders_recent serves "newest first" from
 * time buckets instead of scanning the table.
 */
export function createCassandraProducedStore(
  session: Session,
  ks: Keyspaces,
  options: { readonly bucketMs: number },
): ProducedOrderStore {
  const o = ks.order;
  const marks = bucketMarks(session, o);
  const cql = {
    insert: `INSERT INTO ${o}.orders
        (order_id, customer_id, product_id, quantity, unit_price, total, timestamp, status, order_key,
         unit_price_cents, total_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    insertRecent: `INSERT INTO ${o}.orders_recent
        (bucket_id, timestamp, order_id, customer_id, product_id, quantity, unit_price_cents, total_cents, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    byId: `SELECT * FROM ${o}.orders WHERE order_id = ?`,
    recent: `SELECT * FROM ${o}.orders_recent WHERE bucket_id = ? LIMIT ?`,
    count: `UPDATE ${o}.statistics SET value = value + ? WHERE metric = ?`,
  };

  async function save(order: Order): Promise<void> {
    const bucket = bucketOf(order.timestamp, options.bucketMs);
    await marks.touch(SERIES, bucket);
    // Same key, same values: saving twice leaves one row in both tables.
    await Promise.all([
      session.write(cql.insert, [
        uuidFor(order.orderId, sha1),
        order.customerId,
        order.productId,
        order.quantity,
        decimalFromCents(order.unitPriceCents),
        decimalFromCents(order.totalCents),
        order.timestamp,
        order.status,
        order.orderId,
        order.unitPriceCents,
        order.totalCents,
      ]),
      session.write(cql.insertRecent, [
        bucket,
        order.timestamp,
        order.orderId,
        order.customerId,
        order.productId,
        order.quantity,
        order.unitPriceCents,
        order.totalCents,
        order.status,
      ]),
    ]);
  }

  return {
    async saveProduced(orders) {
      await Promise.all(orders.map(save));
      // The original's counter, for its readers (nothing here reads it): one write per batch. A counter
      // cannot be written idempotently, so a save that is repeated counts its orders again.
      if (orders.length > 0) await session.write(cql.count, [orders.length, ORDERS_PRODUCED]);
    },
    recentProduced(limit) {
      return newestFirst(session, o, SERIES, limit, async (bucket, remaining) =>
        (await session.rows(cql.recent, [bucket, remaining])).map((row) => orderFromRow(row)),
      );
    },
    async produced(orderId) {
      const [row] = await session.rows(cql.byId, [uuidFor(orderId, sha1)]);
      if (row === undefined || str(row, 'order_key') !== orderId) return undefined;
      return { ...orderFromRow(row), orderId };
    },
  };
}
