import { evolveCustomer, evolveProduct } from '@kafka-monitor/domain';
import type {
  Consumed,
  CustomerView,
  EffectSource,
  Order,
  OrderTotals,
  ProductView,
  SourcePartition,
  TimelineEntry,
  ViewStore,
} from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import type { Checkpoints, Settle } from './checkpoint.js';
import { createReadCache } from './read-cache.js';
import { viewTables, type ViewTables } from './view-tables.js';
import { effectSource, likePrefix, orderFromRow, orderParams, type OrderRow, type SourceRow } from './rows.js';

interface CustomerRow {
  customer_id: number;
  first_order_timestamp: number;
  last_order_id: string;
  last_order_timestamp: number;
  total_orders: number;
  total_spent_cents: number;
}

interface ProductRow {
  product_id: string;
  total_quantity: number;
  total_revenue_cents: number;
  order_count: number;
  last_order_timestamp: number;
}

const customerFromRow = (r: CustomerRow): CustomerView => ({
  customerId: r.customer_id,
  totalOrders: r.total_orders,
  totalSpentCents: r.total_spent_cents,
  firstOrderTimestamp: r.first_order_timestamp,
  lastOrderId: r.last_order_id,
  lastOrderTimestamp: r.last_order_timestamp,
});

const productFromRow = (r: ProductRow): ProductView => ({
  productId: r.product_id,
  totalQuantity: r.total_quantity,
  totalRevenueCents: r.total_revenue_cents,
  orderCount: r.order_count,
  lastOrderTimestamp: r.last_order_timestamp,
});

/** Most timeline rows past the retention before a trim (a tenth of the retention when that is less). */
const TRIM_STEP = 200;

export interface SqliteViewStoreOptions {
  /** The timeline keeps this many newest entries; older ones are trimmed (registered orders stay). */
  readonly timelineRetention: number;
}

export function createSqliteViewStore(
  db: SqliteDatabase,
  checkpoints: Checkpoints,
  options: SqliteViewStoreOptions,
  settle: Settle,
  t: ViewTables = viewTables(0),
): ViewStore {
  const trimStep = Math.max(1, Math.min(TRIM_STEP, Math.floor(options.timelineRetention / 10)));
  const sql = {
    countOrder: db.prepare(
      `INSERT OR IGNORE INTO ${t.counted} (order_id, source_topic, source_partition, source_offset, applied_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    countedOrder: db.prepare(`SELECT * FROM ${t.counted} WHERE order_id = ?`),
    customer: db.prepare(`SELECT * FROM ${t.customers} WHERE customer_id = ?`),
    upsertCustomer: db.prepare(
      `INSERT OR REPLACE INTO ${t.customers}
         (customer_id, first_order_timestamp, last_order_id, last_order_timestamp, total_orders, total_spent_cents)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    product: db.prepare(`SELECT * FROM ${t.products} WHERE product_id = ?`),
    upsertProduct: db.prepare(
      `INSERT OR REPLACE INTO ${t.products}
         (product_id, total_quantity, total_revenue_cents, order_count, last_order_timestamp)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    insertTimeline: db.prepare(
      `INSERT OR IGNORE INTO ${t.timeline}
         (order_id, customer_id, product_id, quantity, unit_price_cents, total_cents, timestamp, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    addTotals: db.prepare(
      `UPDATE ${t.totals} SET total_orders = total_orders + ?, total_spent_cents = total_spent_cents + ?,
         customer_count = customer_count + ?, product_count = product_count + ?, timeline_count = timeline_count + ?
       WHERE id = 1`,
    ),
    totals: db.prepare(`SELECT * FROM ${t.totals} WHERE id = 1`),
    trimTimeline: db.prepare(
      `DELETE FROM ${t.timeline} WHERE order_id IN
         (SELECT order_id FROM ${t.timeline} ORDER BY timestamp ASC, order_id ASC LIMIT ?)`,
    ),
    topCustomers: db.prepare(`SELECT * FROM ${t.customers} ORDER BY total_spent_cents DESC, customer_id LIMIT ?`),
    topProducts: db.prepare(`SELECT * FROM ${t.products} ORDER BY total_revenue_cents DESC, product_id LIMIT ?`),
    searchProducts: db.prepare(
      `SELECT * FROM ${t.products} WHERE product_id LIKE ? ESCAPE '\\'
       ORDER BY total_revenue_cents DESC, product_id LIMIT ?`,
    ),
    timeline: db.prepare(`SELECT * FROM ${t.timeline} ORDER BY timestamp DESC, order_id DESC LIMIT ?`),
    timelineEntry: db.prepare(`SELECT * FROM ${t.timeline} WHERE order_id = ?`),
  };

  /** Folds a batch per customer and product, so each row is read and written once per batch. */
  function fold<K, V>(
    orders: readonly Order[],
    keyOf: (o: Order) => K,
    load: (key: K) => V | undefined,
    evolve: (view: V | undefined, o: Order) => V,
  ): { views: Map<K, V>; created: number } {
    const views = new Map<K, V>();
    let created = 0;
    for (const order of orders) {
      const key = keyOf(order);
      let view = views.get(key);
      if (view === undefined) {
        view = load(key);
        if (view === undefined) created++;
      }
      views.set(key, evolve(view, order));
    }
    return { views, created };
  }

  const applyOrders = db.transaction((source: SourcePartition, entries: readonly Consumed<Order>[], now: number) => {
    const fresh = checkpoints.unapplied(source, entries);
    const distinct = fresh.flatMap((e) =>
      e.content !== null &&
      sql.countOrder.run(e.content.orderId, source.topic, source.partition, e.offset, now).changes > 0
        ? [e.content]
        : [],
    );
    const customers = fold(
      distinct,
      (o) => o.customerId,
      (id) => {
        const row = sql.customer.get(id) as CustomerRow | undefined;
        return row && customerFromRow(row);
      },
      evolveCustomer,
    );
    for (const c of customers.views.values()) {
      sql.upsertCustomer.run(
        c.customerId,
        c.firstOrderTimestamp,
        c.lastOrderId,
        c.lastOrderTimestamp,
        c.totalOrders,
        c.totalSpentCents,
      );
    }
    const products = fold(
      distinct,
      (o) => o.productId,
      (id) => {
        const row = sql.product.get(id) as ProductRow | undefined;
        return row && productFromRow(row);
      },
      evolveProduct,
    );
    for (const p of products.views.values()) {
      sql.upsertProduct.run(p.productId, p.totalQuantity, p.totalRevenueCents, p.orderCount, p.lastOrderTimestamp);
    }
    for (const order of distinct) sql.insertTimeline.run(...orderParams(order));
    const spent = distinct.reduce((sum, o) => sum + o.totalCents, 0);
    sql.addTotals.run(distinct.length, spent, customers.created, products.created, distinct.length);
    const timelineCount = (sql.totals.get() as { timeline_count: number }).timeline_count;
    // Trim in small steps: one delete of a few hundred rows costs little, where a delete of a tenth of
    // the retention (1,000 rows by default) stalled the batch it ran in for tens of milliseconds.
    const excess = timelineCount - options.timelineRetention;
    if (excess >= trimStep) {
      sql.trimTimeline.run(excess);
      sql.addTotals.run(0, 0, 0, 0, -excess);
    }
    const outcome = checkpoints.advance(source, fresh, now);
    return { applied: outcome.applied, skipped: entries.length - fresh.length };
  });

  const totals = createReadCache(db, (): OrderTotals => {
    const row = sql.totals.get() as {
      total_orders: number;
      total_spent_cents: number;
      customer_count: number;
      product_count: number;
    };
    return {
      totalOrders: row.total_orders,
      totalSpentCents: row.total_spent_cents,
      customerCount: row.customer_count,
      productCount: row.product_count,
    };
  });

  return {
    applyOrders: (source, entries, now) =>
      settle(() => {
        totals.invalidate();
        return applyOrders.immediate(source, entries, now);
      }),
    totals: () => settle(() => totals.get()),
    topCustomers: (limit) => settle(() => (sql.topCustomers.all(limit) as CustomerRow[]).map(customerFromRow)),
    customer: (customerId) =>
      settle(() => {
        const row = sql.customer.get(customerId) as CustomerRow | undefined;
        return row && customerFromRow(row);
      }),
    topProducts: (limit) => settle(() => (sql.topProducts.all(limit) as ProductRow[]).map(productFromRow)),
    searchProducts: (prefix, limit) =>
      settle(() => (sql.searchProducts.all(likePrefix(prefix), limit) as ProductRow[]).map(productFromRow)),
    product: (productId) =>
      settle(() => {
        const row = sql.product.get(productId) as ProductRow | undefined;
        return row && productFromRow(row);
      }),
    timeline: (limit) => settle((): TimelineEntry[] => (sql.timeline.all(limit) as OrderRow[]).map(orderFromRow)),
    timelineEntry: (orderId) =>
      settle((): TimelineEntry | undefined => {
        const row = sql.timelineEntry.get(orderId) as OrderRow | undefined;
        return row && orderFromRow(row);
      }),
    appliedSource: (orderId) =>
      settle((): EffectSource | undefined => {
        const row = sql.countedOrder.get(orderId) as (SourceRow & { applied_at: number | null }) | undefined;
        return row && effectSource(row, row.applied_at);
      }),
    processingStats: (processorId) => settle(() => checkpoints.stats(processorId)),
  };
}
