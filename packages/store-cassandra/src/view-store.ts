import { mergeCustomer, mergeProduct, mergeViewsBy } from '@kafka-monitor/domain';
import type { OrderTotals, ProductView, ViewStore } from '@kafka-monitor/domain';
import { bucketMarks } from './buckets.js';
import { num, optNum, orderFromRow, positionOfToken, str } from './rows.js';
import { CLAIM_SETTINGS, claimsPerOrder, type Keyspaces } from './schema.js';
import type { Session } from './session.js';
import { createApplyOrders } from './views/apply-orders.js';
import { createEntityClaims } from './views/entity-claims.js';
import { customerFromShard, productFromShard } from './views/entity-shards.js';
import { createOrderCounting } from './views/order-counting.js';
import { processingStats } from './views/positions.js';
import { GROUP, viewStatements } from './views/statements.js';
import { createTimeline } from './views/timeline.js';

export { productClaimKey } from './views/entity-claims.js';
export { sumStats } from './views/positions.js';

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
  const cql = viewStatements(q);
  const timeline = createTimeline(session, q, cql, bucketMarks(session, q), options);
  const applyOrders = createApplyOrders({
    session,
    cql,
    countOrders: createOrderCounting(
      session,
      cql,
      `${q}.order_claims`,
      options.perOrderClaims ?? claimsPerOrder(session, ks, CLAIM_SETTINGS.views),
    ),
    entityClaims: createEntityClaims(session, cql),
    timeline,
  });

  async function allProducts(): Promise<ProductView[]> {
    const rows = await session.rows(cql.allProductShards, [GROUP]);
    return [...mergeViewsBy(rows.map(productFromShard), (p) => p.productId, mergeProduct).values()].sort(
      (a, b) => b.totalRevenueCents - a.totalRevenueCents || (a.productId < b.productId ? -1 : 1),
    );
  }

  return {
    applyOrders,

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
    async customer(customerId) {
      const rows = await session.rows(cql.customerShards, [GROUP, customerId]);
      return mergeViewsBy(rows.map(customerFromShard), (c) => c.customerId, mergeCustomer).get(customerId);
    },
    async topProducts(limit) {
      return (await allProducts()).slice(0, limit);
    },
    async searchProducts(prefix, limit) {
      const wanted = prefix.toLowerCase();
      return (await allProducts()).filter((p) => p.productId.toLowerCase().startsWith(wanted)).slice(0, limit);
    },
    async product(productId) {
      const rows = await session.rows(cql.productShards, [GROUP, productId]);
      return mergeViewsBy(rows.map(productFromShard), (p) => p.productId, mergeProduct).get(productId);
    },

    timeline: (limit) => timeline.read(limit),
    async timelineEntry(orderId) {
      const [row] = await session.rows(cql.countedOrder, [orderId]);
      return row === undefined ? undefined : orderFromRow(row);
    },
    async appliedSource(orderId) {
      const [row] = await session.rows(cql.countedOrder, [orderId]);
      if (row === undefined) return undefined;
      return { position: positionOfToken(str(row, 'claimed_by')), at: optNum(row, 'applied_at') };
    },
    processingStats: (processorId) => processingStats(session, cql, processorId),
  };
}
