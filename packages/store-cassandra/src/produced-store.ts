import { createHash } from 'node:crypto';
import type { Order, ProducedOrderStore } from '@kafka-monitor/domain';
import { bucketMarks, expireBuckets, newestFirst } from './buckets.js';
import { QUERIES_IN_FLIGHT, forEachLimited } from './concurrency.js';
import { bucketOf, orderFromRow, str } from './rows.js';
import type { Keyspaces } from './schema.js';
import { decimalFromCents, uuidFor, type Session } from './session.js';
import { writeRows, type PartitionWrite } from './writes.js';

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
  options: { readonly bucketMs: number; readonly ttlSeconds: number },
): ProducedOrderStore {
  const o = ks.order;
  const marks = bucketMarks(session, o);
  const cql = {
    insert: `INSERT INTO ${o}.orders
        (order_id, customer_id, product_id, quantity, unit_price, total, timestamp, status, order_key,
         unit_price_cents, total_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
    insertRecent: `INSERT INTO ${o}.orders_recent
        (bucket_id, timestamp, order_id, customer_id, product_id, quantity, unit_price_cents, total_cents, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
    byId: `SELECT * FROM ${o}.orders WHERE order_id = ?`,
    recent: `SELECT * FROM ${o}.orders_recent WHERE bucket_id = ? LIMIT ?`,
    expiring: `SELECT timestamp, order_id FROM ${o}.orders_recent WHERE bucket_id = ? LIMIT ?`,
    deleteById: `DELETE FROM ${o}.orders WHERE order_id = ?`,
    deleteRecent: `DELETE FROM ${o}.orders_recent WHERE bucket_id = ? AND timestamp = ? AND order_id = ?`,
    count: `UPDATE ${o}.statistics SET value = value + ? WHERE metric = ?`,
  };

  /** An order's two rows: by id (the original's table) and in its bucket of recent orders. */
  function rowsOf(order: Order, bucket: number): PartitionWrite[] {
    const id = uuidFor(order.orderId, sha1);
    return [
      {
        partition: `orders\u0000${String(id)}`,
        cql: cql.insert,
        params: [
          id,
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
          options.ttlSeconds,
        ],
      },
      {
        partition: `orders_recent\u0000${bucket}`,
        cql: cql.insertRecent,
        params: [
          bucket,
          order.timestamp,
          order.orderId,
          order.customerId,
          order.productId,
          order.quantity,
          order.unitPriceCents,
          order.totalCents,
          order.status,
          options.ttlSeconds,
        ],
      },
    ];
  }

  return {
    async saveProduced(orders) {
      // Same key, same values: saving twice leaves one row in both tables. An id given twice in one
      // call keeps its last order, as writes one after another would (a batch writes both at once).
      const unique = [...new Map(orders.map((order) => [order.orderId, order])).values()];
      const buckets = unique.map((order) => bucketOf(order.timestamp, options.bucketMs));
      // Buckets are marked before their rows, so a reader walking the marks finds every row.
      await forEachLimited([...new Set(buckets)], QUERIES_IN_FLIGHT, (bucket) => marks.touch(SERIES, bucket));
      await writeRows(
        session,
        unique.flatMap((order, i) => rowsOf(order, buckets[i] ?? 0)),
      );
      // The original's counter, for its readers (nothing here reads it): one write per batch. A counter
      // cannot be written idempotently, so a save that is repeated counts its orders again.
      if (orders.length > 0) await session.write(cql.count, [orders.length, ORDERS_PRODUCED]);
    },
    recentProduced(limit) {
      return newestFirst(session, o, SERIES, limit, async (bucket, remaining) =>
        (await session.rows(cql.recent, [bucket, remaining])).map((row) => orderFromRow(row)),
      );
    },
    // The TTL bounds both tables even when no pass runs; the pass deletes by the configured horizon
    // whatever TTL the rows were written with (rows written before retention have none).
    expireProduced(before, limit) {
      return expireBuckets(session, o, SERIES, bucketOf(before, options.bucketMs), limit, async (bucket, remaining) => {
        const rows = await session.rows(cql.expiring, [bucket, remaining]);
        await forEachLimited(rows, QUERIES_IN_FLIGHT, async (row) => {
          const orderId = str(row, 'order_id');
          await session.write(cql.deleteById, [uuidFor(orderId, sha1)]);
          await session.write(cql.deleteRecent, [bucket, row.timestamp, orderId]);
        });
        return { removed: rows.length, emptied: rows.length < remaining };
      });
    },
    async produced(orderId) {
      const [row] = await session.rows(cql.byId, [uuidFor(orderId, sha1)]);
      if (row === undefined || str(row, 'order_key') !== orderId) return undefined;
      return { ...orderFromRow(row), orderId };
    },
  };
}
