import { DependencyError } from '@kafka-monitor/domain';
import type { ApplyOutcome, Consumed, ProcessingStats, SourcePartition } from '@kafka-monitor/domain';
import { createSettle, type Settle, type SpaceTracker, type SqliteDatabase } from '@kafka-monitor/sqlite';

export type { Settle } from '@kafka-monitor/sqlite';

interface StatsRow {
  processor_id: string;
  processed_count: number;
  error_count: number;
  last_processed_timestamp: number | null;
}

/** Where positions and counters live: the base tables, or a views generation's own (schema.ts). */
export interface CheckpointTables {
  readonly positions: string;
  readonly stats: string;
}

export const BASE_CHECKPOINT_TABLES: CheckpointTables = { positions: 'applied_positions', stats: 'processing_stats' };

/**
 * The exactly-once mechanism shared by every apply method: inside the caller's transaction, entries
 * below the source partition's recorded next offset are dropped, and after the effects the position
 * and the processor's counters advance in the same transaction.
 */
export function createCheckpoints(db: SqliteDatabase, tables: CheckpointTables = BASE_CHECKPOINT_TABLES) {
  const readPosition = db.prepare(
    `SELECT next_offset FROM ${tables.positions} WHERE consumer = ? AND topic = ? AND partition = ?`,
  );
  const writePosition = db.prepare(
    `INSERT INTO ${tables.positions} (consumer, topic, partition, next_offset) VALUES (?, ?, ?, ?)
     ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
  );
  const addStats = db.prepare(
    `INSERT INTO ${tables.stats} (processor_id, processed_count, error_count, last_processed_timestamp) VALUES (?, ?, ?, ?)
     ON CONFLICT (processor_id) DO UPDATE SET
       processed_count = processed_count + excluded.processed_count,
       error_count = error_count + excluded.error_count,
       last_processed_timestamp = excluded.last_processed_timestamp`,
  );
  const readStats = db.prepare(`SELECT * FROM ${tables.stats} WHERE processor_id = ?`);

  return {
    /** The entries not applied yet, in order. */
    unapplied<T>(source: SourcePartition, entries: readonly Consumed<T>[]): Consumed<T>[] {
      const row = readPosition.get(source.consumer, source.topic, source.partition) as
        { next_offset: number } | undefined;
      const next = row?.next_offset ?? 0;
      return entries.filter((e) => e.offset >= next);
    },

    /** Records the batch as applied: position after its last entry, processed and error counts. */
    advance<T>(
      source: SourcePartition,
      applied: readonly Consumed<T>[],
      now: number,
    ): ApplyOutcome & { errors: number } {
      const last = applied.at(-1);
      if (last === undefined) return { applied: 0, skipped: 0, errors: 0 };
      const errors = applied.filter((e) => e.content === null).length;
      writePosition.run(source.consumer, source.topic, source.partition, last.offset + 1);
      addStats.run(source.consumer, applied.length - errors, errors, now);
      return { applied: applied.length, skipped: 0, errors };
    },

    stats(processorId: string): ProcessingStats | undefined {
      const row = readStats.get(processorId) as StatsRow | undefined;
      return row === undefined
        ? undefined
        : {
            processorId: row.processor_id,
            processedCount: row.processed_count,
            errorCount: row.error_count,
            lastProcessedTimestamp: row.last_processed_timestamp,
          };
    },
  };
}

export type Checkpoints = ReturnType<typeof createCheckpoints>;

/**
 * Runs the store's synchronous SQLite work as a promise; its failures surface as the store's
 * DependencyError, marked `outOfSpace` when the disk is full.
 */
export function createStoreSettle(space: SpaceTracker | undefined): Settle {
  return createSettle(
    space,
    (error, outOfSpace) =>
      new DependencyError(
        'store',
        outOfSpace ? 'SQLite store: disk full' : `SQLite store: ${(error as Error).message}`,
        {
          cause: error,
          outOfSpace,
        },
      ),
  );
}
