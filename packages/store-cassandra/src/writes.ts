import { QUERIES_IN_FLIGHT, forEachLimited } from './concurrency.js';
import type { BoundStatement, Session } from './session.js';

/** A row write, with the partition it lands in (table and partition key), so writes can share batches. */
export interface PartitionWrite extends BoundStatement {
  readonly partition: string;
}

/**
 * Cassandra's defaults warn above 10 partitions in one unlogged batch
 * (unlogged_batch_across_partitions_warn_threshold) and above 5 KiB of data in a batch
 * (batch_size_warn_threshold). Batches stay under both, so a stock node logs nothing.
 */
export const MAX_BATCH_PARTITIONS = 10;
export const MAX_BATCH_BYTES = 4_096;

/**
 * What a write adds to a batch's data size, erring high: each value's bytes plus what a cell costs
 * around it (timestamp, flags, lengths), which Cassandra counts as well.
 */
export function estimatedBytes(params: readonly unknown[]): number {
  let bytes = 0;
  for (const value of params) {
    bytes += 12;
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
    else if (value !== null && value !== undefined) bytes += 16;
  }
  return bytes;
}

/** Splits writes into batches: writes of one partition side by side, within both limits above. */
export function batchesOf(writes: readonly PartitionWrite[]): PartitionWrite[][] {
  const sorted = [...writes].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
  const batches: PartitionWrite[][] = [];
  let current: PartitionWrite[] = [];
  let partitions = new Set<string>();
  let bytes = 0;
  for (const write of sorted) {
    const size = estimatedBytes(write.params);
    const full =
      bytes + size > MAX_BATCH_BYTES || (!partitions.has(write.partition) && partitions.size >= MAX_BATCH_PARTITIONS);
    if (current.length > 0 && full) {
      batches.push(current);
      current = [];
      partitions = new Set();
      bytes = 0;
    }
    current.push(write);
    partitions.add(write.partition);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends independent, idempotent row writes in unlogged batches: one request carries up to a batch's
 * worth of rows, which on the measured node more than doubled the rows written per second against one
 * request per row (docs/performance.md). No two writes may name the same row: a batch gives all its
 * writes one timestamp, so two values of one cell would be settled by value, not by order. Nothing is
 * atomic across partitions, exactly as with separate requests; callers already replay a failed batch
 * as a whole. At most QUERIES_IN_FLIGHT batches are in flight, however many rows are given; after a
 * failure no further batch starts, and it rejects with the first failure once the running ones have
 * settled, so a retry never overlaps writes of the attempt that failed.
 */
export async function writeRows(session: Session, writes: readonly PartitionWrite[]): Promise<void> {
  await forEachLimited(batchesOf(writes), QUERIES_IN_FLIGHT, async (batch) => {
    const [only] = batch;
    await (batch.length === 1 && only !== undefined ? session.write(only.cql, only.params) : session.writeBatch(batch));
  });
}
