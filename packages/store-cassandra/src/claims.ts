import { DependencyError, partitionForKey } from '@kafka-monitor/domain';
import type { Row, Session } from './session.js';
import { str } from './rows.js';
import { QUERIES_IN_FLIGHT, forEachLimited } from './concurrency.js';
import { estimatedBytes } from './writes.js';

/**
 * Claims of order ids live in partitions of (bucket, day). The bucket is the id's partition among 12 by
 * the producers' own key hash, so with 1, 2, 3, 4, 6 or 12 topic partitions the orders of one topic
 * partition fall in buckets of their own: a consumer's batch makes a few Paxos rounds (one per bucket
 * and day) that no other consumer contends with, instead of one per order. The day, of the order's own
 * timestamp, bounds a partition's size; a resent order carries the same id and timestamp, so both
 * copies meet in the same partition whichever topic partition each reached.
 */
const CLAIM_BUCKETS = 12;
const DAY_MS = 86_400_000;
/**
 * A conditional batch is one Paxos round however many rows it holds, so a consumer batch's claims of
 * one bucket go in one (the bucket's share of 500 orders, with 3 topic partitions ~125). Bounded in
 * rows and, for long ids, in data, well under Cassandra's batch_size_fail_threshold (50 KiB).
 */
const MAX_CLAIMS_PER_BATCH = 250;
const MAX_CLAIM_BATCH_BYTES = 32_768;
const encoder = new TextEncoder();

/** The day fits CQL's int: the order codec admits timestamps up to 8.64e15 ms (day 100,000,000). */
export function claimPartition(orderId: string, orderTimestamp: number): { bucket: number; day: number } {
  return {
    bucket: partitionForKey(encoder.encode(orderId), CLAIM_BUCKETS),
    day: Math.floor(orderTimestamp / DAY_MS),
  };
}

export interface ClaimRequest {
  readonly orderId: string;
  readonly orderTimestamp: number;
  /** The log position making the claim (positionToken). */
  readonly token: string;
  /** Values of the table's extra columns, stored with the claim. */
  readonly values: readonly unknown[];
}

/**
 * - `new`: this call made the claim.
 * - `again`: the same token had made it before (a replay); `row` is the claim as first stored.
 * - `lost`: another log position holds it.
 */
export type ClaimResult =
  { readonly kind: 'new' } | { readonly kind: 'again'; readonly row: Row } | { readonly kind: 'lost' };

/** Requests in runs of at most MAX_CLAIMS_PER_BATCH rows and about MAX_CLAIM_BATCH_BYTES of data. */
export function claimChunks(bucket: number, day: number, requests: readonly ClaimRequest[]): ClaimRequest[][] {
  const chunks: ClaimRequest[][] = [];
  let current: ClaimRequest[] = [];
  let bytes = 0;
  for (const r of requests) {
    const size = estimatedBytes([bucket, day, r.orderId, r.token, ...r.values]);
    if (current.length > 0 && (current.length >= MAX_CLAIMS_PER_BATCH || bytes + size > MAX_CLAIM_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Claims order ids in `table` (key ((bucket, day), order_id), a `claimed_by` column and
 * `extraColumns`) with conditional batches, one per claims partition. A refused batch wrote nothing:
 * the claims that refused it are read back at SERIAL consistency, and the rest is tried again. Every
 * refusal takes at least one id out of the next attempt, since claims are never deleted.
 */
export function createOrderClaims(session: Session, table: string, extraColumns: readonly string[] = []) {
  const columns = ['bucket', 'day', 'order_id', 'claimed_by', ...extraColumns];
  const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) IF NOT EXISTS`;
  const read = `SELECT * FROM ${table} WHERE bucket = ? AND day = ? AND order_id IN ?`;

  async function claimInPartition(
    bucket: number,
    day: number,
    requests: readonly ClaimRequest[],
    results: Map<string, ClaimResult>,
  ): Promise<void> {
    for (const chunk of claimChunks(bucket, day, requests)) {
      let pending = chunk;
      while (pending.length > 0) {
        const applied = await session.lwtBatch(
          pending.map((r) => ({ cql: insert, params: [bucket, day, r.orderId, r.token, ...r.values] })),
        );
        if (applied) {
          for (const r of pending) results.set(r.orderId, { kind: 'new' });
          break;
        }
        const ids = pending.map((r) => r.orderId);
        const rows = new Map(
          (await session.rows(read, [bucket, day, ids], { serial: true })).map((row) => [str(row, 'order_id'), row]),
        );
        const unclaimed = pending.filter((r) => !rows.has(r.orderId));
        if (unclaimed.length === pending.length) {
          // Retryable like any store failure: the consumer hands the whole batch over again later.
          throw new DependencyError(
            'store',
            `Cassandra store: claims in ${table} (bucket ${bucket}, day ${day}): a batch was refused, yet none of its ids is claimed`,
          );
        }
        for (const r of pending) {
          const row = rows.get(r.orderId);
          if (row !== undefined)
            results.set(r.orderId, row.claimed_by === r.token ? { kind: 'again', row } : { kind: 'lost' });
        }
        pending = unclaimed;
      }
    }
  }

  /** Claims each order id once (the first request of an id in the list asks); the result by order id. */
  return async function claim(requests: readonly ClaimRequest[]): Promise<Map<string, ClaimResult>> {
    const partitions = new Map<string, { bucket: number; day: number; requests: ClaimRequest[] }>();
    const seen = new Set<string>();
    for (const request of requests) {
      if (seen.has(request.orderId)) continue;
      seen.add(request.orderId);
      const { bucket, day } = claimPartition(request.orderId, request.orderTimestamp);
      const key = `${bucket}|${day}`;
      const partition = partitions.get(key);
      if (partition === undefined) partitions.set(key, { bucket, day, requests: [request] });
      else partition.requests.push(request);
    }
    const results = new Map<string, ClaimResult>();
    // A batch whose orders carry many days (old or far-off timestamps) has one partition per bucket
    // and day: bounded in flight, however many there are.
    await forEachLimited([...partitions.values()], QUERIES_IN_FLIGHT, (p) =>
      claimInPartition(p.bucket, p.day, p.requests, results),
    );
    return results;
  };
}
