import type { SnapshotEntry, SnapshotFold, SnapshotPosition, StoredMessage } from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';

/** A message as retention reads it before deleting it: offset, timestamp, size, key, value, headers. */
export type FoldedRow = [
  offset: number,
  timestamp: number,
  size: number,
  key: string | null,
  value: Buffer,
  headers: string | null,
];

/**
 * The snapshots of the topics that have one: what retention folded of each message before deleting
 * it (entries, first per key, never changed once written) and per partition the horizon below which
 * everything was folded. The log knows nothing of the folds' meaning: a fold maps a message to a key
 * and a value, or to nothing.
 *
 * A topic's snapshot is recorded in the database once any process configured a fold for it, so a
 * process that opens the same log without that fold (a tool, an older build) does not delete past the
 * horizon either.
 */
export interface Snapshots {
  /** The fold this process has for the topic, if any. */
  foldOf(topic: string): SnapshotFold | undefined;
  /** Whether some process configured a snapshot for the topic: retention must then not pass the horizon. */
  guards(topic: string): boolean;
  horizon(topic: string, partition: number): number;
  /** Inside retention's transaction, before the rows below `upTo` are deleted: folds them, moves the horizon. */
  keep(topic: string, partition: number, rows: readonly FoldedRow[], upTo: number): void;
  horizons(topic: string, partitions: number): readonly number[];
  /** How many entries the topic's snapshot holds (counted as they are written). */
  entryCount(topic: string): number;
  entries(
    topic: string,
    horizons: readonly number[],
    after: SnapshotPosition | null,
    limit: number,
  ): readonly SnapshotEntry[];
  /** A deleted topic's snapshot goes with it (its registration stays: a topic made again has one too). */
  forget(topic: string): void;
}

export function createSnapshots(db: SqliteDatabase, folds: ReadonlyMap<string, SnapshotFold>): Snapshots {
  const sql = prepare(db);
  try {
    db.transaction(() => {
      for (const topic of folds.keys()) sql.register.run(topic);
    }).immediate();
  } catch {
    // A full disk must not keep the log from opening: `keep` registers the topic again in the
    // transaction of its first fold, before anything of it is deleted.
  }
  const guarded = (): ReadonlySet<string> =>
    new Set((sql.registered.all() as { topic: string }[]).map((row) => row.topic));
  // Read again at each step of a topic this process has no fold for: another process may have
  // registered it since, and the table holds a handful of rows.
  return {
    foldOf: (topic) => folds.get(topic),
    guards: (topic) => folds.has(topic) || guarded().has(topic),
    horizon(topic, partition) {
      return (sql.horizon.get(topic, partition) as { horizon: number } | undefined)?.horizon ?? 0;
    },
    keep(topic, partition, rows, upTo) {
      const fold = folds.get(topic);
      if (fold === undefined) return;
      sql.register.run(topic);
      let written = 0;
      for (const [offset, timestamp, , key, value, headers] of rows) {
        const message: StoredMessage = {
          topic,
          partition,
          offset,
          key,
          value,
          // Parsed only for a fold that looks at them: the pipeline's do not.
          get headers() {
            return headers === null ? {} : (JSON.parse(headers) as Record<string, string>);
          },
          timestamp,
        };
        // A fold that throws fails the step, so nothing is deleted unfolded; the next pass retries.
        const entry = fold(message);
        if (entry !== null) written += sql.insert.run(topic, partition, offset, entry.key, entry.value).changes;
      }
      sql.setHorizon.run(topic, partition, upTo, written);
    },
    horizons(topic, partitions) {
      const rows = sql.horizons.all(topic) as { partition: number; horizon: number }[];
      const byPartition = new Map(rows.map((row) => [row.partition, row.horizon]));
      return Array.from({ length: partitions }, (_, p) => byPartition.get(p) ?? 0);
    },
    entryCount(topic) {
      return (sql.entryCount.get(topic) as { entries: number }).entries;
    },
    entries(topic, horizons, after, limit) {
      // Entries at or above the caller's horizons were written after it read them: not its snapshot.
      return sql.entries.all(
        topic,
        after?.partition ?? -1,
        after?.offset ?? -1,
        JSON.stringify(horizons),
        limit,
      ) as SnapshotEntry[];
    },
    forget(topic) {
      sql.forgetEntries.run(topic);
      sql.forgetHorizons.run(topic);
    },
  };
}

function prepare(db: SqliteDatabase) {
  return {
    register: db.prepare('INSERT OR IGNORE INTO snapshot_topics (topic) VALUES (?)'),
    registered: db.prepare('SELECT topic FROM snapshot_topics'),
    horizon: db.prepare('SELECT horizon FROM snapshot_horizons WHERE topic = ? AND partition = ?'),
    horizons: db.prepare('SELECT partition, horizon FROM snapshot_horizons WHERE topic = ?'),
    entryCount: db.prepare('SELECT coalesce(sum(entries), 0) AS entries FROM snapshot_horizons WHERE topic = ?'),
    setHorizon: db.prepare(
      `INSERT INTO snapshot_horizons (topic, partition, horizon, entries) VALUES (?, ?, ?, ?)
       ON CONFLICT (topic, partition) DO UPDATE
       SET horizon = max(horizon, excluded.horizon), entries = entries + excluded.entries`,
    ),
    // The first entry of a key wins, as the folds' own rule does (an order counts once, a request
    // is decided once); later ones are ignored.
    insert: db.prepare(
      'INSERT OR IGNORE INTO snapshot_entries (topic, partition, offset, key, value) VALUES (?, ?, ?, ?, ?)',
    ),
    entries: db.prepare(
      `SELECT partition, offset, value FROM snapshot_entries
       WHERE topic = ? AND (partition, offset) > (?, ?)
         AND offset < coalesce(json_extract(?, '$[' || partition || ']'), 0)
       ORDER BY partition, offset LIMIT ?`,
    ),
    forgetEntries: db.prepare('DELETE FROM snapshot_entries WHERE topic = ?'),
    forgetHorizons: db.prepare('DELETE FROM snapshot_horizons WHERE topic = ?'),
  };
}
