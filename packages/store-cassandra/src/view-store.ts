import {
  averageQuantity,
  compareTimeline,
  evolveCustomer,
  evolveProduct,
  mergeCustomer,
  mergeProduct,
  mergeViewsBy,
} from '@kafka-monitor/domain';
import type {
  CustomerView,
  Order,
  OrderTotals,
  ProcessingStats,
  ProductView,
  SourcePartition,
  TimelineEntry,
  ViewStore,
} from '@kafka-monitor/domain';
import { newestFirst, bucketMarks } from './buckets.js';
import { createOrderClaims } from './claims.js';
import { MAX_IN_KEYS, QUERIES_IN_FLIGHT, chunksOf, forEachLimited, mapLimited } from './concurrency.js';
import { bucketOf, num, optNum, orderFromRow, positionOfToken, positionToken, str } from './rows.js';
import { CLAIM_SETTINGS, claimsPerOrder, type Keyspaces } from './schema.js';
import type { Row, Session } from './session.js';
import { writeRows, type PartitionWrite } from './writes.js';

/** All view shards live in one partition per table: the customer and product id spaces are bounded. */
const GROUP = 'views';
const MAX_KNOWN_CLAIMS = 100_000;
const TIMELINE = 'timeline';

/**
 * Cassandra refuses an empty partition key ("Key may not be empty"), yet '' is a legal product id on
 * the wire: the codec admits it and only the validation rules deny it, and the views still count the
 * order. product_claims is keyed by the product id alone, so a batch holding such an order failed on
 * every redelivery and its partition never advanced. The key is escaped instead: ids that are
 * non-empty and do not start with NUL stay as they are (existing claims keep their rows), '' and the
 * NUL-led ids get one more NUL in front. The mapping is injective and never empty.
 */
export function productClaimKey(productId: string): string {
  return productId === '' || productId.startsWith('\u0000') ? `\u0000${productId}` : productId;
}

export interface CassandraViewOptions {
  readonly timelineBucketMs: number;
  /** Seconds a timeline row lives (0 = forever); buckets bound partitions either way. */
  readonly timelineTtlSeconds: number;
  /**
   * Whether order ids are claimed one lightweight transaction per order (a store older than
   * order_claims); default: what store_settings says. A rebuilt generation starts with batched claims.
   */
  readonly perOrderClaims?: () => Promise<boolean>;
}

interface Position {
  readonly nextOffset: number;
  readonly processed: number;
  readonly errors: number;
  readonly totalOrders: number;
  readonly spentCents: number;
  readonly customers: number;
  readonly products: number;
}

const NO_POSITION: Position = {
  nextOffset: 0,
  processed: 0,
  errors: 0,
  totalOrders: 0,
  spentCents: 0,
  customers: 0,
  products: 0,
};

interface Counted {
  readonly offset: number;
  readonly order: Order;
}

const customerFromShard = (r: Row): CustomerView => ({
  customerId: num(r, 'customer_id'),
  totalOrders: num(r, 'total_orders'),
  totalSpentCents: num(r, 'total_spent_cents'),
  firstOrderTimestamp: num(r, 'first_order_timestamp'),
  lastOrderId: str(r, 'last_order_id'),
  lastOrderTimestamp: num(r, 'last_order_timestamp'),
});

const productFromShard = (r: Row): ProductView => ({
  productId: str(r, 'product_id'),
  totalQuantity: num(r, 'total_quantity'),
  totalRevenueCents: num(r, 'total_revenue_cents'),
  orderCount: num(r, 'order_count'),
  lastOrderTimestamp: num(r, 'last_order_timestamp'),
});

/**
 * Views on Cassandra, exactly-once without counters or read-modify-write races:
 *
 * - Every aggregate is sharded by source partition (consumer, topic, partition). One consumer owns a
 *   partition at a time, and a shard's state after offset N is a pure function of that partition's
 *   log up to N (plus claims that never change once made). Shard rows and the position row are
 *   written `USING TIMESTAMP <next offset>`, so the row for the furthest offset wins whatever the
 *   arrival order: a replay writes identical values, and a zombie that lost the partition can only
 *   write a state for an offset it really reached, never regress a newer one.
 * - Each shard row carries the next offset it reflects, so after a crash between shard writes and
 *   the position write the replay skips what the shard already holds.
 * - Order ids, customers and products are claimed with INSERT … IF NOT EXISTS naming the claiming
 *   log position; whoever claimed first counts it, and a replay recognises its own claim.
 * - Readers merge the few shards of an entity; totals sum the position rows (one per partition).
 */
export function createCassandraViewStore(session: Session, ks: Keyspaces, options: CassandraViewOptions): ViewStore {
  const q = ks.query;
  const marks = bucketMarks(session, q);
  const claimBatch = createOrderClaims(session, `${q}.order_claims`);
  const cql = {
    position: `SELECT * FROM ${q}.source_positions WHERE shard_group = ? AND consumer = ? AND topic = ? AND partition = ?`,
    positions: `SELECT * FROM ${q}.source_positions WHERE shard_group = ?`,
    consumerPositions: `SELECT * FROM ${q}.source_positions WHERE shard_group = ? AND consumer = ?`,
    writePosition: `INSERT INTO ${q}.source_positions
        (shard_group, consumer, topic, partition, next_offset, processed_count, error_count, last_processed_timestamp,
         total_orders, total_spent_cents, customers_claimed, products_claimed)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    claimOrder: `INSERT INTO ${q}.counted_orders
        (order_id, claimed_by, customer_id, product_id, quantity, unit_price_cents, total_cents, timestamp, status,
         applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    countedOrder: `SELECT * FROM ${q}.counted_orders WHERE order_id = ?`,
    writeCountedOrder: `INSERT INTO ${q}.counted_orders
        (order_id, claimed_by, customer_id, product_id, quantity, unit_price_cents, total_cents, timestamp, status,
         applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    customerClaim: `SELECT claimed_by FROM ${q}.customer_claims WHERE customer_id = ?`,
    claimCustomer: `INSERT INTO ${q}.customer_claims (customer_id, claimed_by) VALUES (?, ?) IF NOT EXISTS`,
    productClaim: `SELECT claimed_by FROM ${q}.product_claims WHERE product_id = ?`,
    claimProduct: `INSERT INTO ${q}.product_claims (product_id, claimed_by) VALUES (?, ?) IF NOT EXISTS`,
    insertTimeline: `INSERT INTO ${q}.orders_timeline
        (bucket_id, timestamp, order_id, customer_id, product_id, quantity, unit_price, total, status,
         unit_price_cents, total_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?`,
    timelineBucket: `SELECT * FROM ${q}.orders_timeline WHERE bucket_id = ? LIMIT ?`,
    timelineInstant: `SELECT * FROM ${q}.orders_timeline WHERE bucket_id = ? AND timestamp = ?`,
    customerShardsIn: `SELECT * FROM ${q}.customer_shards WHERE shard_group = ? AND customer_id IN ?`,
    customerShards: `SELECT * FROM ${q}.customer_shards WHERE shard_group = ? AND customer_id = ?`,
    allCustomerShards: `SELECT * FROM ${q}.customer_shards WHERE shard_group = ?`,
    writeCustomerShard: `INSERT INTO ${q}.customer_shards
        (shard_group, customer_id, consumer, topic, partition, next_offset, total_orders, total_spent_cents,
         first_order_timestamp, last_order_id, last_order_timestamp)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    productShardsIn: `SELECT * FROM ${q}.product_shards WHERE shard_group = ? AND product_id IN ?`,
    productShards: `SELECT * FROM ${q}.product_shards WHERE shard_group = ? AND product_id = ?`,
    allProductShards: `SELECT * FROM ${q}.product_shards WHERE shard_group = ?`,
    writeProductShard: `INSERT INTO ${q}.product_shards
        (shard_group, product_id, consumer, topic, partition, next_offset, total_quantity, total_revenue_cents,
         order_count, last_order_timestamp)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    mirrorCustomer: `INSERT INTO ${q}.orders_by_customer
        (customer_id, first_order_timestamp, last_order_id, last_order_timestamp, total_orders, total_spent,
         total_spent_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?)`,
    mirrorProduct: `INSERT INTO ${q}.orders_by_product
        (product_id, total_quantity, total_revenue, order_count, avg_quantity, last_order_timestamp,
         total_revenue_cents)
      VALUES (?, ?, ?, ?, ?, ?, ?)`,
    mirrorStats: `INSERT INTO ${q}.processing_stats
        (processor_id, processed_count, error_count, last_processed_timestamp) VALUES (?, ?, ?, ?)`,
  };

  async function readPosition(source: SourcePartition): Promise<Position> {
    const [row] = await session.rows(cql.position, [GROUP, source.consumer, source.topic, source.partition]);
    if (row === undefined) return NO_POSITION;
    return {
      nextOffset: num(row, 'next_offset'),
      processed: num(row, 'processed_count'),
      errors: num(row, 'error_count'),
      totalOrders: num(row, 'total_orders'),
      spentCents: num(row, 'total_spent_cents'),
      customers: num(row, 'customers_claimed'),
      products: num(row, 'products_claimed'),
    };
  }

  /** Per-order claims in counted_orders, for a store that counted orders before order_claims existed. */
  async function claimOrder(token: string, order: Order, now: number): Promise<boolean> {
    const result = await session.lwt(cql.claimOrder, countedOrderValues(token, order, now));
    return result.applied || result.current?.claimed_by === token;
  }

  /** The values of a counted_orders row, in the column order of claimOrder and writeCountedOrder. */
  function countedOrderValues(token: string, order: Order, now: number): unknown[] {
    return [
      order.orderId,
      token,
      order.customerId,
      order.productId,
      order.quantity,
      order.unitPriceCents,
      order.totalCents,
      order.timestamp,
      order.status,
      now,
    ];
  }

  const perOrderClaims = options.perOrderClaims ?? claimsPerOrder(session, ks, CLAIM_SETTINGS.views);

  /**
   * The orders of a batch that this log position counts (the first claim of an order id wins), and the
   * counted_orders rows still to write for them.
   */
  async function claimOrders(
    firsts: readonly Counted[],
    token: (offset: number) => string,
    now: number,
  ): Promise<{ counted: Counted[]; rows: PartitionWrite[] }> {
    let counted: Counted[];
    let rows: PartitionWrite[] = [];
    if (await perOrderClaims()) {
      const claims = await mapLimited(firsts, QUERIES_IN_FLIGHT, async (c) =>
        (await claimOrder(token(c.offset), c.order, now)) ? c : null,
      );
      counted = claims.filter((c): c is Counted => c !== null);
    } else {
      const results = await claimBatch(
        firsts.map((c) => ({
          orderId: c.order.orderId,
          orderTimestamp: c.order.timestamp,
          token: token(c.offset),
          values: [],
        })),
      );
      counted = firsts.filter((c) => {
        const kind = results.get(c.order.orderId)?.kind;
        return kind === 'new' || kind === 'again';
      });
      // The order by id, as timelineEntry reads it; the same values whenever the claim's holder writes it.
      rows = counted.map((c) => ({
        partition: `counted_orders\u0000${c.order.orderId}`,
        cql: cql.writeCountedOrder,
        params: countedOrderValues(token(c.offset), c.order, now),
      }));
    }
    return { counted: counted.sort((a, b) => a.offset - b.offset), rows };
  }

  /**
   * Holders of the customer and product claims this store has seen. A claim never changes once made,
   * so a holder learnt once answers every later batch without a request (a batch touches ~100
   * customers). Bounded: past MAX_KNOWN_CLAIMS the map starts again empty.
   */
  const claimHolders = { customer: new Map<unknown, string>(), product: new Map<unknown, string>() };

  /** Claims an entity for counting (customer-count, product-count); a plain read first avoids most LWTs. */
  async function claimEntity(
    readCql: string,
    claimCql: string,
    key: unknown,
    token: string,
    holders: Map<unknown, string>,
  ): Promise<boolean> {
    const known = holders.get(key);
    if (known !== undefined) return known === token;
    const [row] = await session.rows(readCql, [key]);
    const holder =
      row !== undefined
        ? row.claimed_by
        : await session.lwt(claimCql, [key, token]).then((r) => (r.applied ? token : r.current?.claimed_by));
    if (typeof holder !== 'string') return false;
    if (holders.size >= MAX_KNOWN_CLAIMS) holders.clear();
    holders.set(key, holder);
    return holder === token;
  }

  /** An order's timeline row; its bucket must be marked before the row is written. */
  function timelineRow(order: Order, bucket: number): PartitionWrite {
    return {
      partition: `orders_timeline\u0000${bucket}`,
      cql: cql.insertTimeline,
      params: [
        bucket,
        order.timestamp,
        order.orderId,
        order.customerId,
        order.productId,
        order.quantity,
        order.unitPriceCents / 100,
        order.totalCents / 100,
        order.status,
        order.unitPriceCents,
        order.totalCents,
        options.timelineTtlSeconds,
      ],
    };
  }

  /**
   * The newest `limit` entries of a timeline bucket, ties on the timestamp by order id descending (the
   * order of every store). The table clusters order_id ascending within a timestamp, as the original
   * did, so a read that stops inside a run of equal timestamps may have taken the run's smallest ids:
   * the whole run at the cut is read (one more single-partition slice, usually a row or two) and the
   * page ordered here. A table created with order_id descending reads the same.
   */
  async function timelineOfBucket(bucket: number, limit: number): Promise<TimelineEntry[]> {
    const page = (await session.rows(cql.timelineBucket, [bucket, limit])).map((r): TimelineEntry => orderFromRow(r));
    const last = page.at(-1);
    if (last === undefined || page.length < limit) return page.sort(compareTimeline);
    const run = (await session.rows(cql.timelineInstant, [bucket, last.timestamp])).map((r): TimelineEntry =>
      orderFromRow(r),
    );
    return [...page.filter((entry) => entry.timestamp !== last.timestamp), ...run]
      .sort(compareTimeline)
      .slice(0, limit);
  }

  /** Counted orders' timeline rows, each bucket marked first, written together with `rows`. */
  async function writeOrderRows(counted: readonly Counted[], rows: readonly PartitionWrite[]): Promise<void> {
    const buckets = counted.map((c) => bucketOf(c.order.timestamp, options.timelineBucketMs));
    await forEachLimited([...new Set(buckets)], QUERIES_IN_FLIGHT, (bucket) => marks.touch(TIMELINE, bucket));
    await writeRows(session, [...rows, ...counted.map((c, i) => timelineRow(c.order, buckets[i] ?? 0))]);
  }

  /** All shards of the given customers or products (every source's), in IN reads of MAX_IN_KEYS. */
  async function shardsOf(cqlText: string, keys: readonly unknown[]): Promise<Row[]> {
    const chunks = chunksOf(keys, MAX_IN_KEYS);
    return (await mapLimited(chunks, QUERIES_IN_FLIGHT, (chunk) => session.rows(cqlText, [GROUP, chunk]))).flat();
  }

  const isOwnShard = (row: Row, source: SourcePartition) =>
    row.consumer === source.consumer && row.topic === source.topic && row.partition === source.partition;

  /** Groups counted orders by key, keeping offset order, and remembers the first offset of each key. */
  function groupBy<K>(counted: readonly Counted[], keyOf: (o: Order) => K): Map<K, Counted[]> {
    const groups = new Map<K, Counted[]>();
    for (const c of counted) {
      const key = keyOf(c.order);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [c]);
      else group.push(c);
    }
    return groups;
  }

  /**
   * Folds each customer's counted orders into this source's shard of it, then writes the original's
   * orders_by_customer row of every changed customer: a merge of all its shards read after the write.
   */
  async function applyCustomerShards(source: SourcePartition, groups: Map<number, Counted[]>, end: number) {
    const own = new Map(
      (await shardsOf(cql.customerShardsIn, [...groups.keys()]))
        .filter((row) => isOwnShard(row, source))
        .map((row) => [num(row, 'customer_id'), row]),
    );
    const shards: PartitionWrite[] = [];
    const changed: number[] = [];
    for (const [customerId, orders] of groups) {
      const row = own.get(customerId);
      const shardNext = row === undefined ? 0 : num(row, 'next_offset');
      const todo = orders.filter((c) => c.offset >= shardNext);
      if (todo.length === 0) continue;
      let view = row === undefined ? undefined : customerFromShard(row);
      for (const c of todo) view = evolveCustomer(view, c.order);
      if (view === undefined) continue;
      changed.push(customerId);
      shards.push({
        partition: 'customer_shards',
        cql: cql.writeCustomerShard,
        params: [
          GROUP,
          customerId,
          source.consumer,
          source.topic,
          source.partition,
          end,
          view.totalOrders,
          view.totalSpentCents,
          view.firstOrderTimestamp,
          view.lastOrderId,
          view.lastOrderTimestamp,
          end,
        ],
      });
    }
    if (shards.length === 0) return;
    await writeRows(session, shards);
    const merged = mergeViewsBy(
      (await shardsOf(cql.customerShardsIn, changed)).map(customerFromShard),
      (c) => c.customerId,
      mergeCustomer,
    );
    await writeRows(
      session,
      [...merged.values()].map((m) => ({
        partition: `orders_by_customer\u0000${m.customerId}`,
        cql: cql.mirrorCustomer,
        params: [
          m.customerId,
          m.firstOrderTimestamp,
          m.lastOrderId,
          m.lastOrderTimestamp,
          m.totalOrders,
          m.totalSpentCents / 100,
          m.totalSpentCents,
        ],
      })),
    );
  }

  /** As applyCustomerShards, for products and the original's orders_by_product. */
  async function applyProductShards(source: SourcePartition, groups: Map<string, Counted[]>, end: number) {
    const own = new Map(
      (await shardsOf(cql.productShardsIn, [...groups.keys()]))
        .filter((row) => isOwnShard(row, source))
        .map((row) => [str(row, 'product_id'), row]),
    );
    const shards: PartitionWrite[] = [];
    const changed: string[] = [];
    for (const [productId, orders] of groups) {
      const row = own.get(productId);
      const shardNext = row === undefined ? 0 : num(row, 'next_offset');
      const todo = orders.filter((c) => c.offset >= shardNext);
      if (todo.length === 0) continue;
      let view = row === undefined ? undefined : productFromShard(row);
      for (const c of todo) view = evolveProduct(view, c.order);
      if (view === undefined) continue;
      // The original table is keyed by product id alone and cannot hold an empty one (see
      // productClaimKey); its readers never had such a row, and the shards carry the view.
      if (productId !== '') changed.push(productId);
      shards.push({
        partition: 'product_shards',
        cql: cql.writeProductShard,
        params: [
          GROUP,
          productId,
          source.consumer,
          source.topic,
          source.partition,
          end,
          view.totalQuantity,
          view.totalRevenueCents,
          view.orderCount,
          view.lastOrderTimestamp,
          end,
        ],
      });
    }
    if (shards.length === 0) return;
    await writeRows(session, shards);
    const merged = mergeViewsBy(
      (await shardsOf(cql.productShardsIn, changed)).map(productFromShard),
      (p) => p.productId,
      mergeProduct,
    );
    await writeRows(
      session,
      [...merged.values()].map((m) => ({
        partition: `orders_by_product\u0000${m.productId}`,
        cql: cql.mirrorProduct,
        params: [
          m.productId,
          m.totalQuantity,
          m.totalRevenueCents / 100,
          m.orderCount,
          averageQuantity(m),
          m.lastOrderTimestamp,
          m.totalRevenueCents,
        ],
      })),
    );
  }

  async function readCustomer(customerId: number): Promise<CustomerView | undefined> {
    const rows = await session.rows(cql.customerShards, [GROUP, customerId]);
    return mergeViewsBy(rows.map(customerFromShard), (c) => c.customerId, mergeCustomer).get(customerId);
  }

  async function readProduct(productId: string): Promise<ProductView | undefined> {
    const rows = await session.rows(cql.productShards, [GROUP, productId]);
    return mergeViewsBy(rows.map(productFromShard), (p) => p.productId, mergeProduct).get(productId);
  }

  async function allProducts(): Promise<ProductView[]> {
    const rows = await session.rows(cql.allProductShards, [GROUP]);
    return [...mergeViewsBy(rows.map(productFromShard), (p) => p.productId, mergeProduct).values()].sort(
      (a, b) => b.totalRevenueCents - a.totalRevenueCents || (a.productId < b.productId ? -1 : 1),
    );
  }

  async function processingStats(processorId: string): Promise<ProcessingStats | undefined> {
    const rows = await session.rows(cql.consumerPositions, [GROUP, processorId]);
    return sumStats(processorId, rows);
  }

  return {
    async applyOrders(source, entries, now) {
      const position = await readPosition(source);
      const fresh = entries.filter((e) => e.offset >= position.nextOffset);
      const last = fresh.at(-1);
      if (last === undefined) return { applied: 0, skipped: entries.length };
      const end = last.offset + 1;
      const token = (offset: number) => positionToken(source.consumer, source.topic, source.partition, offset);

      // 1. Claim order ids: the first occurrence of an id in this batch asks; the claim decides.
      const firsts = new Map<string, Counted>();
      for (const e of fresh) {
        if (e.content !== null && !firsts.has(e.content.orderId)) {
          firsts.set(e.content.orderId, { offset: e.offset, order: e.content });
        }
      }
      const { counted, rows } = await claimOrders([...firsts.values()], token, now);

      // 2. Effects, all idempotent: order rows, entity claims, entity shards (and the original tables).
      await writeOrderRows(counted, rows);
      const byCustomer = groupBy(counted, (o) => o.customerId);
      const byProduct = groupBy(counted, (o) => o.productId);
      const [customerClaims, productClaims] = await Promise.all([
        mapLimited([...byCustomer], QUERIES_IN_FLIGHT, ([id, group]) =>
          claimEntity(cql.customerClaim, cql.claimCustomer, id, token(group[0]?.offset ?? 0), claimHolders.customer),
        ),
        mapLimited([...byProduct], QUERIES_IN_FLIGHT, ([id, group]) =>
          claimEntity(
            cql.productClaim,
            cql.claimProduct,
            productClaimKey(id),
            token(group[0]?.offset ?? 0),
            claimHolders.product,
          ),
        ),
      ]);
      await Promise.all([applyCustomerShards(source, byCustomer, end), applyProductShards(source, byProduct, end)]);

      // 3. Commit: the position row, written for offset `end`, carries this partition's totals.
      const errors = fresh.filter((e) => e.content === null).length;
      await session.write(cql.writePosition, [
        GROUP,
        source.consumer,
        source.topic,
        source.partition,
        end,
        position.processed + fresh.length - errors,
        position.errors + errors,
        now,
        position.totalOrders + counted.length,
        position.spentCents + counted.reduce((s, c) => s + c.order.totalCents, 0),
        position.customers + customerClaims.filter(Boolean).length,
        position.products + productClaims.filter(Boolean).length,
        end,
      ]);
      const stats = await processingStats(source.consumer);
      if (stats !== undefined) {
        await session.write(cql.mirrorStats, [
          stats.processorId,
          stats.processedCount,
          stats.errorCount,
          stats.lastProcessedTimestamp,
        ]);
      }
      return { applied: fresh.length, skipped: entries.length - fresh.length };
    },

    async totals(): Promise<OrderTotals> {
      const rows = await session.rows(cql.positions, [GROUP]);
      const sum = (column: string) => rows.reduce((s, r) => s + num(r, column), 0);
      return {
        totalOrders: sum('total_orders'),
        totalSpentCents: sum('total_spent_cents'),
        customerCount: sum('customers_claimed'),
        productCount: sum('products_claimed'),
      };
    },

    async topCustomers(limit) {
      const rows = await session.rows(cql.allCustomerShards, [GROUP]);
      return [...mergeViewsBy(rows.map(customerFromShard), (c) => c.customerId, mergeCustomer).values()]
        .sort((a, b) => b.totalSpentCents - a.totalSpentCents || a.customerId - b.customerId)
        .slice(0, limit);
    },
    customer: readCustomer,
    async topProducts(limit) {
      return (await allProducts()).slice(0, limit);
    },
    async searchProducts(prefix, limit) {
      const wanted = prefix.toLowerCase();
      return (await allProducts()).filter((p) => p.productId.toLowerCase().startsWith(wanted)).slice(0, limit);
    },
    product: readProduct,

    timeline(limit) {
      return newestFirst(session, q, TIMELINE, limit, (bucket, remaining) => timelineOfBucket(bucket, remaining));
    },
    async timelineEntry(orderId) {
      const [row] = await session.rows(cql.countedOrder, [orderId]);
      return row === undefined ? undefined : orderFromRow(row);
    },
    async appliedSource(orderId) {
      const [row] = await session.rows(cql.countedOrder, [orderId]);
      if (row === undefined) return undefined;
      return { position: positionOfToken(str(row, 'claimed_by')), at: optNum(row, 'applied_at') };
    },
    processingStats,
  };
}

/** processing_stats of one processor: the sum of its partitions' position rows. */
export function sumStats(processorId: string, rows: readonly Row[]): ProcessingStats | undefined {
  if (rows.length === 0) return undefined;
  const last = rows.map((r) => optNum(r, 'last_processed_timestamp')).filter((t): t is number => t !== null);
  return {
    processorId,
    processedCount: rows.reduce((s, r) => s + num(r, 'processed_count'), 0),
    errorCount: rows.reduce((s, r) => s + num(r, 'error_count'), 0),
    lastProcessedTimestamp: last.length === 0 ? null : Math.max(...last),
  };
}
