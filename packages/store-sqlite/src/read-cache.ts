import type { SqliteDatabase } from '@kafka-monitor/sqlite';

export interface ReadCache<T> {
  /** The read's value, computed again only if the database may have changed since. */
  get(): T;
  /** Called by this connection's writers of what the read covers: their commits are seen at once. */
  invalidate(): void;
}

/**
 * Keeps the result of a small, hot read (the totals behind `/api/stats` and every live-stream tick)
 * until the database changes. This connection's writers call `invalidate()`. A commit by another
 * connection (another process on the same file) moves SQLite's `data_version`, which is asked at most
 * once per `recheckMs`: every statement starts a read transaction, which takes file locks, and under
 * thousands of requests a second those system calls cost more than the rest of the request. So a
 * reader sees another process's commit at most `recheckMs` late, and its own commits at once.
 */
export function createReadCache<T>(
  db: SqliteDatabase,
  read: () => T,
  options: { recheckMs?: number } = {},
): ReadCache<T> {
  const recheckMs = options.recheckMs ?? 1;
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let cached: { version: unknown; value: T } | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  return {
    get() {
      const now = performance.now();
      if (cached !== undefined && now - checkedAt < recheckMs) return cached.value;
      checkedAt = now;
      const version = dataVersion.get();
      if (cached === undefined || cached.version !== version) cached = { version, value: read() };
      return cached.value;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
