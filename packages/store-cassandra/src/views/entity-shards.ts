import {
  averageQuantity,
  evolveCustomer,
  evolveProduct,
  mergeCustomer,
  mergeProduct,
  mergeViewsBy,
} from '@kafka-monitor/domain';
import type { CustomerView, Order, ProductView, SourcePartition } from '@kafka-monitor/domain';
import { MAX_IN_KEYS, QUERIES_IN_FLIGHT, chunksOf, mapLimited } from '../concurrency.js';
import { num, str } from '../rows.js';
import type { Row, Session } from '../session.js';
import { writeRows, type PartitionWrite } from '../writes.js';
import type { Counted } from './counted.js';
import { GROUP, type ViewStatements } from './statements.js';

export const customerFromShard = (r: Row): CustomerView => ({
  customerId: num(r, 'customer_id'),
  totalOrders: num(r, 'total_orders'),
  totalSpentCents: num(r, 'total_spent_cents'),
  firstOrderTimestamp: num(r, 'first_order_timestamp'),
  lastOrderId: str(r, 'last_order_id'),
  lastOrderTimestamp: num(r, 'last_order_timestamp'),
});

export const productFromShard = (r: Row): ProductView => ({
  productId: str(r, 'product_id'),
  totalQuantity: num(r, 'total_quantity'),
  totalRevenueCents: num(r, 'total_revenue_cents'),
  orderCount: num(r, 'order_count'),
  lastOrderTimestamp: num(r, 'last_order_timestamp'),
});

/** How one kind of entity (customers or products) is sharded, merged and mirrored. */
interface EntityKind<K, V> {
  readonly name: string;
  readonly shardsIn: string;
  readonly writeShard: string;
  readonly keyOfRow: (row: Row) => K;
  readonly fromShard: (row: Row) => V;
  readonly evolve: (view: V | undefined, order: Order) => V;
  readonly merge: (a: V, b: V) => V;
  readonly keyOfView: (view: V) => K;
  /** The shard's own columns after (shard_group, key, consumer, topic, partition, next_offset). */
  readonly shardValues: (view: V) => unknown[];
  /** The row of the original's table for a merged view; none for a key that table cannot hold. */
  readonly mirror: (view: V) => PartitionWrite | undefined;
}

export function customerKind(cql: ViewStatements): EntityKind<number, CustomerView> {
  return {
    name: 'customer_shards',
    shardsIn: cql.customerShardsIn,
    writeShard: cql.writeCustomerShard,
    keyOfRow: (row) => num(row, 'customer_id'),
    fromShard: customerFromShard,
    evolve: evolveCustomer,
    merge: mergeCustomer,
    keyOfView: (c) => c.customerId,
    shardValues: (v) => [v.totalOrders, v.totalSpentCents, v.firstOrderTimestamp, v.lastOrderId, v.lastOrderTimestamp],
    mirror: (m) => ({
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
    }),
  };
}

export function productKind(cql: ViewStatements): EntityKind<string, ProductView> {
  return {
    name: 'product_shards',
    shardsIn: cql.productShardsIn,
    writeShard: cql.writeProductShard,
    keyOfRow: (row) => str(row, 'product_id'),
    fromShard: productFromShard,
    evolve: evolveProduct,
    merge: mergeProduct,
    keyOfView: (p) => p.productId,
    shardValues: (v) => [v.totalQuantity, v.totalRevenueCents, v.orderCount, v.lastOrderTimestamp],
    // The original table is keyed by product id alone and cannot hold an empty one (see
    // productClaimKey); its readers never had such a row, and the shards carry the view.
    mirror: (m) =>
      m.productId === ''
        ? undefined
        : {
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
          },
  };
}

/** All shards of the given keys (every source's), in IN reads of MAX_IN_KEYS. */
async function shardsOf(session: Session, cqlText: string, keys: readonly unknown[]): Promise<Row[]> {
  const chunks = chunksOf(keys, MAX_IN_KEYS);
  return (await mapLimited(chunks, QUERIES_IN_FLIGHT, (chunk) => session.rows(cqlText, [GROUP, chunk]))).flat();
}

const isOwnShard = (row: Row, source: SourcePartition) =>
  row.consumer === source.consumer && row.topic === source.topic && row.partition === source.partition;

/**
 * Folds each entity's counted orders into this source's shard of it (skipping what the shard already
 * holds after a crash before the position write), then writes the original's table row of every
 * changed entity: a merge of all its shards read after the write.
 */
export async function applyShards<K, V>(
  session: Session,
  kind: EntityKind<K, V>,
  source: SourcePartition,
  groups: Map<K, Counted[]>,
  end: number,
): Promise<void> {
  const own = new Map(
    (await shardsOf(session, kind.shardsIn, [...groups.keys()]))
      .filter((row) => isOwnShard(row, source))
      .map((row) => [kind.keyOfRow(row), row]),
  );
  const shards: PartitionWrite[] = [];
  const changed: K[] = [];
  for (const [key, orders] of groups) {
    const row = own.get(key);
    const shardNext = row === undefined ? 0 : num(row, 'next_offset');
    const todo = orders.filter((c) => c.offset >= shardNext);
    if (todo.length === 0) continue;
    let view = row === undefined ? undefined : kind.fromShard(row);
    for (const c of todo) view = kind.evolve(view, c.order);
    if (view === undefined) continue;
    changed.push(key);
    shards.push({
      partition: kind.name,
      cql: kind.writeShard,
      params: [GROUP, key, source.consumer, source.topic, source.partition, end, ...kind.shardValues(view), end],
    });
  }
  if (shards.length === 0) return;
  await writeRows(session, shards);
  const merged = mergeViewsBy(
    (await shardsOf(session, kind.shardsIn, changed)).map(kind.fromShard),
    kind.keyOfView,
    kind.merge,
  );
  await writeRows(
    session,
    [...merged.values()].flatMap((m) => kind.mirror(m) ?? []),
  );
}
