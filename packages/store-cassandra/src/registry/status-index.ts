import type { OrderStatus, RegisteredOrder } from '@kafka-monitor/domain';
import { bucketOf } from '../rows.js';
import type { PartitionWrite } from '../writes.js';
import { DAY_MS, type RegistryContext } from './statements.js';

export type StatusIndex = ReturnType<typeof createStatusIndex>;

/** registered_by_status: order ids by status in day buckets, each bucket marked before its rows. */
export function createStatusIndex({ session, cql, marks }: RegistryContext) {
  /** A registration's first status index row, its bucket marked first. */
  async function firstIndexRow(order: RegisteredOrder): Promise<PartitionWrite> {
    const bucket = bucketOf(order.registeredAt, DAY_MS);
    await marks.touch(`status:${order.status}`, bucket);
    return {
      partition: `registered_by_status\u0000${order.status}\u0000${bucket}`,
      cql: cql.indexStatus,
      params: [order.status, bucket, order.registeredAt, order.order.orderId],
    };
  }

  async function moveStatusIndex(order: RegisteredOrder, from: OrderStatus | null, to: OrderStatus): Promise<void> {
    const bucket = bucketOf(order.registeredAt, DAY_MS);
    const key = [bucket, order.registeredAt, order.order.orderId];
    if (from !== null && from !== to) await session.write(cql.unindexStatus, [from, ...key]);
    await marks.touch(`status:${to}`, bucket);
    await session.write(cql.indexStatus, [to, ...key]);
  }

  return { firstIndexRow, moveStatusIndex };
}
