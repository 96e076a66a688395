import { compareTimeline } from '@kafka-monitor/domain';
import type { Order, TimelineEntry } from '@kafka-monitor/domain';
import { newestFirst, type BucketMarks } from '../buckets.js';
import { QUERIES_IN_FLIGHT, forEachLimited } from '../concurrency.js';
import { bucketOf, orderFromRow } from '../rows.js';
import type { Session } from '../session.js';
import { writeRows, type PartitionWrite } from '../writes.js';
import type { Counted } from './counted.js';
import { TIMELINE, type ViewStatements } from './statements.js';

export interface TimelineSettings {
  readonly timelineBucketMs: number;
  /** Seconds a timeline row lives (0 = forever). */
  readonly timelineTtlSeconds: number;
}

/** The timeline of the views: rows in time buckets, read newest first. */
export function createTimeline(
  session: Session,
  keyspace: string,
  cql: ViewStatements,
  marks: BucketMarks,
  settings: TimelineSettings,
) {
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
        settings.timelineTtlSeconds,
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

  return {
    /** Counted orders' timeline rows, each bucket marked first, written together with `rows`. */
    async write(counted: readonly Counted[], rows: readonly PartitionWrite[]): Promise<void> {
      const buckets = counted.map((c) => bucketOf(c.order.timestamp, settings.timelineBucketMs));
      await forEachLimited([...new Set(buckets)], QUERIES_IN_FLIGHT, (bucket) => marks.touch(TIMELINE, bucket));
      await writeRows(session, [...rows, ...counted.map((c, i) => timelineRow(c.order, buckets[i] ?? 0))]);
    },
    read(limit: number): Promise<TimelineEntry[]> {
      return newestFirst(session, keyspace, TIMELINE, limit, (bucket, remaining) =>
        timelineOfBucket(bucket, remaining),
      );
    },
  };
}
