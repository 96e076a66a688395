import type { Session } from './session.js';

const PAGE = 32;

/** Marks a bucket of a series as used, so readers can walk a series newest first without a scan. */
export function touchBucket(session: Session, keyspace: string, series: string, bucket: number): Promise<void> {
  return session.write(`INSERT INTO ${keyspace}.time_buckets (series, bucket_id) VALUES (?, ?)`, [series, bucket]);
}

/**
 * Reads a bucketed series newest first: the bucket list (one small partition per series) is walked a
 * page at a time and each bucket is read with the rows still wanted, so a read touches only the
 * newest partitions however long the history is.
 */
export async function newestFirst<T>(
  session: Session,
  keyspace: string,
  series: string,
  limit: number,
  readBucket: (bucket: number, remaining: number) => Promise<readonly T[]>,
): Promise<T[]> {
  const out: T[] = [];
  let before: number | undefined;
  while (out.length < limit) {
    const rows =
      before === undefined
        ? await session.rows(`SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? LIMIT ?`, [series, PAGE])
        : await session.rows(
            `SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? AND bucket_id < ? LIMIT ?`,
            [series, before, PAGE],
          );
    if (rows.length === 0) break;
    for (const row of rows) {
      const bucket = row.bucket_id as number;
      before = bucket;
      out.push(...(await readBucket(bucket, limit - out.length)));
      if (out.length >= limit) break;
    }
    if (rows.length < PAGE) break;
  }
  return out.slice(0, limit);
}
