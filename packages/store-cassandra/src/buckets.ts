import type { Session } from './session.js';

const PAGE = 32;

/** Buckets remembered as marked before the memory is started again (a few series, one bucket a day or hour). */
const REMEMBERED_MARKS = 1_024;

export interface BucketMarks {
  /** Marks a bucket of a series as used, so readers can walk a series newest first without a scan. */
  touch(series: string, bucket: number): Promise<void>;
}

/**
 * Bucket marks of one keyspace. A mark is a row that never changes once written, and every order of a
 * bucket would write it again: one write per bucket and process is enough. Callers that need the same
 * new bucket at once share its write; a failed write is forgotten, so the next caller writes it again.
 */
export function bucketMarks(session: Session, keyspace: string): BucketMarks {
  const cql = `INSERT INTO ${keyspace}.time_buckets (series, bucket_id) VALUES (?, ?)`;
  const marked = new Map<string, Promise<void>>();
  return {
    touch(series, bucket) {
      const key = `${series}\u0000${bucket}`;
      const known = marked.get(key);
      if (known !== undefined) return known;
      if (marked.size >= REMEMBERED_MARKS) marked.clear();
      const writing = session.write(cql, [series, bucket]);
      marked.set(key, writing);
      writing.catch(() => marked.delete(key));
      return writing;
    },
  };
}

/**
 * Reads a bucketed series newest first: the bucket list (one small partition per series) is walked a
 * page at a time and each bucket is read with the rows still wanted, so a read touches only the
 * newest partitions however long the history is.
 */
export function newestFirst<T>(
  session: Session,
  keyspace: string,
  series: string,
  limit: number,
  readBucket: (bucket: number, remaining: number) => Promise<readonly T[]>,
): Promise<T[]> {
  return walkBuckets(session, keyspace, series, limit, 'DESC', readBucket);
}

/**
 * Reads a bucketed series oldest first, the same walk the other way. Buckets whose rows are all gone
 * (a status index after every order of the hour was decided) still cost one read each until the walk
 * finds rows, so this suits series whose old buckets empty out, such as pending orders.
 */
export function oldestFirst<T>(
  session: Session,
  keyspace: string,
  series: string,
  limit: number,
  readBucket: (bucket: number, remaining: number) => Promise<readonly T[]>,
): Promise<T[]> {
  return walkBuckets(session, keyspace, series, limit, 'ASC', readBucket);
}

async function walkBuckets<T>(
  session: Session,
  keyspace: string,
  series: string,
  limit: number,
  direction: 'ASC' | 'DESC',
  readBucket: (bucket: number, remaining: number) => Promise<readonly T[]>,
): Promise<T[]> {
  const out: T[] = [];
  const beyond = direction === 'DESC' ? '<' : '>';
  let after: number | undefined;
  while (out.length < limit) {
    const rows =
      after === undefined
        ? await session.rows(
            `SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? ORDER BY bucket_id ${direction} LIMIT ?`,
            [series, PAGE],
          )
        : await session.rows(
            `SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? AND bucket_id ${beyond} ? ORDER BY bucket_id ${direction} LIMIT ?`,
            [series, after, PAGE],
          );
    if (rows.length === 0) break;
    for (const row of rows) {
      const bucket = row.bucket_id as number;
      after = bucket;
      out.push(...(await readBucket(bucket, limit - out.length)));
      if (out.length >= limit) break;
    }
    if (rows.length < PAGE) break;
  }
  return out.slice(0, limit);
}

/** What one bucket's expiry did: rows it removed, and whether the bucket is empty now. */
export interface BucketExpiry {
  readonly removed: number;
  readonly emptied: boolean;
}

/**
 * Retention over a bucketed series: walks the buckets that ended at or before `before`, oldest first,
 * removes their rows through `expireBucket` (at most `limit` in all) and forgets a bucket's mark once
 * it is empty, so the next pass starts at the oldest bucket still holding rows. Whole buckets only, as
 * Kafka deletes whole segments: a row outlives `before` by up to one bucket's width.
 */
export async function expireBuckets(
  session: Session,
  keyspace: string,
  series: string,
  firstKept: number,
  limit: number,
  expireBucket: (bucket: number, remaining: number) => Promise<BucketExpiry>,
): Promise<number> {
  let removed = 0;
  const buckets = await session.rows(
    `SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? AND bucket_id < ? ORDER BY bucket_id ASC LIMIT ?`,
    [series, firstKept, PAGE],
  );
  for (const row of buckets) {
    if (removed >= limit) break;
    const bucket = row.bucket_id as number;
    const expired = await expireBucket(bucket, limit - removed);
    removed += expired.removed;
    if (expired.emptied) {
      await session.write(`DELETE FROM ${keyspace}.time_buckets WHERE series = ? AND bucket_id = ?`, [series, bucket]);
    }
  }
  return removed;
}
