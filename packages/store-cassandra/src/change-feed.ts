import { DependencyError } from '@kafka-monitor/domain';
import type { Order, OrderStatus, RegistryChange } from '@kafka-monitor/domain';
import type { BucketMarks } from './buckets.js';
import { QUERIES_IN_FLIGHT, forEachLimited } from './concurrency.js';
import { num, str } from './rows.js';
import type { Session } from './session.js';

export type FeedChange = Omit<RegistryChange, 'cursor'>;

/** Changes per feed row: a cursor is seq × SLOTS + index, so one row (one LWT) serves a whole batch. */
export const SLOTS = 1_000;
/** Feed rows per partition: bounds every registry_changes partition. */
export const ROWS_PER_BUCKET = 10_000;
const SERIES = 'changes';
/**
 * Appends refused because another writer took the number first, before a batch gives up and is retried
 * later: writers are the instances of one processor, far fewer than this, so reaching it means the feed
 * is not advancing at all (a read that keeps answering an old number), not contention.
 */
export const APPEND_ATTEMPTS = 16;
/** Rows looked at for changes a repeated batch appended before it failed. */
export const REPEAT_WINDOW = 64;

interface StoredChange {
  readonly kind: 'registered' | 'status';
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly previousStatus: OrderStatus | null;
  readonly version: number;
  readonly at: number;
  readonly order: Order;
}

/**
 * The registry's change feed: a gap-free sequence of rows (seq = 1, 2, 3 …), each appended with
 * INSERT … IF NOT EXISTS on `seq = latest + 1` where `latest` is read at SERIAL consistency. Paxos
 * makes the append of a given seq win once; a writer that loses reads again and takes the next
 * number. A row n+1 is only ever attempted after row n was committed, so a reader never sees n+1
 * without n: resuming after any cursor misses nothing, across writers and restarts. One row holds
 * the changes of one apply batch (up to SLOTS), so the serialisation costs one LWT per batch.
 */
export function createChangeFeed(session: Session, keyspace: string, marks: BucketMarks) {
  const cql = {
    latestInBucket: `SELECT seq, changes FROM ${keyspace}.registry_changes WHERE bucket_id = ? ORDER BY seq DESC LIMIT 1`,
    append: `INSERT INTO ${keyspace}.registry_changes (bucket_id, seq, changes, written_at) VALUES (?, ?, ?, ?) IF NOT EXISTS`,
    newestBuckets: `SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? LIMIT 2`,
    bucketsFrom: `SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? AND bucket_id >= ? ORDER BY bucket_id ASC LIMIT 16`,
    rowsFrom: `SELECT seq, changes FROM ${keyspace}.registry_changes WHERE bucket_id = ? AND seq >= ? ORDER BY seq ASC LIMIT ?`,
    oldestBuckets: `SELECT bucket_id FROM ${keyspace}.time_buckets WHERE series = ? ORDER BY bucket_id ASC LIMIT 16`,
    oldestRows: `SELECT seq, written_at FROM ${keyspace}.registry_changes WHERE bucket_id = ? ORDER BY seq ASC LIMIT ?`,
    deleteRow: `DELETE FROM ${keyspace}.registry_changes WHERE bucket_id = ? AND seq = ?`,
    forgetBucket: `DELETE FROM ${keyspace}.time_buckets WHERE series = ? AND bucket_id = ?`,
  };

  /** The newest row (seq and how many changes it holds), or seq 0 for an empty feed. */
  async function latest(serial: boolean): Promise<{ seq: number; count: number }> {
    // The bucket of the newest row is the newest bucket, or the one before when a writer has marked a
    // new bucket but not yet appended to it.
    for (const bucket of await session.rows(cql.newestBuckets, [SERIES])) {
      const [row] = await session.rows(cql.latestInBucket, [bucket.bucket_id], { serial });
      if (row !== undefined) return { seq: num(row, 'seq'), count: parse(str(row, 'changes')).length };
    }
    return { seq: 0, count: 0 };
  }

  /**
   * The seq this feed's own last append took. Appending after it again needs no SERIAL read of the
   * newest row (a Paxos round and the whole row, the changes of a batch): row `last` is known to be
   * committed, so attempting `last + 1` keeps the sequence gap-free, and when another writer took that
   * number the refused append falls back to reading the newest row. 0 = not known yet.
   */
  let lastAppended = 0;

  const parse = (text: string): StoredChange[] => JSON.parse(text) as StoredChange[];
  const identity = (change: { orderId: string; version: number }): string => `${change.orderId}@${change.version}`;

  /** The changes not among those of the newest REPEAT_WINDOW rows (read at SERIAL consistency). */
  async function withoutRecorded(changes: readonly FeedChange[]): Promise<readonly FeedChange[]> {
    const newest = (await latest(true)).seq;
    if (newest === 0 || changes.length === 0) return changes;
    const first = Math.max(1, newest - REPEAT_WINDOW + 1);
    const recorded = new Set<string>();
    for (let bucket = Math.floor(first / ROWS_PER_BUCKET); bucket <= Math.floor(newest / ROWS_PER_BUCKET); bucket++) {
      for (const row of await session.rows(cql.rowsFrom, [bucket, first, REPEAT_WINDOW], { serial: true })) {
        for (const change of parse(str(row, 'changes'))) recorded.add(identity(change));
      }
    }
    return changes.filter((change) => !recorded.has(identity(change)));
  }

  return {
    /**
     * Appends the changes of one batch. `repeated` says the batch is being applied again (some of its
     * changes were made by an earlier attempt of it, which may have failed after appending, or whose
     * append timed out with an unknown outcome): then changes the newest rows already hold (same order,
     * same version) are left out, so a client of the feed sees each change once.
     */
    async append(changes: readonly FeedChange[], options: { repeated?: boolean } = {}): Promise<void> {
      // The time of the row's newest change (when its batch was applied): what retention compares.
      const writtenAt = changes.reduce((newest, c) => Math.max(newest, c.at), 0);
      const pending = options.repeated === true ? await withoutRecorded(changes) : changes;
      for (let from = 0; from < pending.length; from += SLOTS) {
        const text = JSON.stringify(pending.slice(from, from + SLOTS));
        let appended = false;
        for (let attempt = 1; !appended; attempt++) {
          if (attempt > APPEND_ATTEMPTS) {
            throw new DependencyError(
              'store',
              `Cassandra store: the change feed refused ${APPEND_ATTEMPTS} appends in a row (its newest row reads as seq ${
                (await latest(true)).seq
              })`,
            );
          }
          const seq = (attempt === 1 && lastAppended > 0 ? lastAppended : (await latest(true)).seq) + 1;
          const bucket = Math.floor(seq / ROWS_PER_BUCKET);
          await marks.touch(SERIES, bucket);
          appended = (await session.lwt(cql.append, [bucket, seq, text, writtenAt])).applied;
          if (appended) lastAppended = Math.max(lastAppended, seq);
        }
      }
    },

    /**
     * Deletes the oldest rows written before `before`, a prefix of the feed that never reaches its
     * newest row: appenders number the next row from the newest one, so it must stay. A bucket emptied
     * below the newest row's is forgotten, and a reader resuming in it walks on to the oldest kept.
     */
    async expire(before: number, limit: number): Promise<number> {
      const newest = (await latest(false)).seq;
      if (newest === 0) return 0;
      // The newest row's bucket and any newer one (marked by a writer about to append) are never forgotten.
      const newestBucket = Math.floor(newest / ROWS_PER_BUCKET);
      let removed = 0;
      for (const { bucket_id: bucket } of await session.rows(cql.oldestBuckets, [SERIES])) {
        if (typeof bucket !== 'number' || bucket > newestBucket) break;
        const wanted = limit - removed;
        const rows = await session.rows(cql.oldestRows, [bucket, wanted]);
        const due: number[] = [];
        for (const row of rows) {
          if (num(row, 'seq') >= newest || num(row, 'written_at') >= before) break;
          due.push(num(row, 'seq'));
        }
        await forEachLimited(due, QUERIES_IN_FLIGHT, (seq) => session.write(cql.deleteRow, [bucket, seq]));
        removed += due.length;
        if (due.length < rows.length || removed >= limit) break;
        if (rows.length < wanted && bucket < newestBucket) await session.write(cql.forgetBucket, [SERIES, bucket]);
      }
      return removed;
    },

    async latestCursor(): Promise<number> {
      const { seq, count } = await latest(false);
      return seq === 0 ? 0 : seq * SLOTS + count - 1;
    },

    async since(cursor: number, limit: number): Promise<RegistryChange[]> {
      const out: RegistryChange[] = [];
      let seq = Math.max(1, Math.floor(cursor / SLOTS));
      while (out.length < limit) {
        const buckets = await session.rows(cql.bucketsFrom, [SERIES, Math.floor(seq / ROWS_PER_BUCKET)]);
        if (buckets.length === 0) break;
        let progressed = false;
        for (const b of buckets) {
          const rows = await session.rows(cql.rowsFrom, [b.bucket_id, seq, limit]);
          for (const row of rows) {
            const rowSeq = num(row, 'seq');
            parse(str(row, 'changes')).forEach((change, index) => {
              const at = rowSeq * SLOTS + index;
              if (at > cursor && out.length < limit) out.push({ cursor: at, ...change });
            });
            seq = rowSeq + 1;
            progressed = true;
          }
          if (out.length >= limit) break;
        }
        if (!progressed) break;
      }
      return out;
    },
  };
}
