import { statSync } from 'node:fs';
import type { StoreDescription } from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';

const fileBytes = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    // The write-ahead log exists only between checkpoints.
    return 0;
  }
};

/**
 * The store's size on disk: the database file plus its write-ahead log, which holds commits not yet
 * checkpointed into the file. An in-memory store has no file; its pages are counted instead.
 */
export function describeSqliteStore(db: SqliteDatabase, file: string): StoreDescription {
  if (file === ':memory:') {
    const pages = db.pragma('page_count', { simple: true }) as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return { kind: 'sqlite', sizeBytes: pages * pageSize, sizeNote: 'in memory: pages × page size' };
  }
  // Proves the database answers, as a description of an unreachable store must fail.
  db.pragma('page_count', { simple: true });
  return {
    kind: 'sqlite',
    sizeBytes: fileBytes(file) + fileBytes(`${file}-wal`),
    sizeNote: 'database file and write-ahead log on disk',
  };
}
