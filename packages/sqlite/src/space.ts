import type { SqliteDatabase } from './open-sqlite.js';

/**
 * SQLite's answer to a write that finds no room: the file system is full (its VFS maps ENOSPC to
 * SQLITE_FULL) or the file reached `max_page_count`. The transaction is rolled back, so nothing of the
 * write is applied and the same write can be repeated once there is space.
 */
export function isSqliteFull(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_FULL';
}

/** Told when a connection starts and stops refusing writes for lack of space. */
export type SpaceListener = (outOfSpace: boolean) => void;

export interface SpaceTracker {
  /** After a failed call: whether it failed for lack of space (then the connection is out of space). */
  failed(error: unknown): boolean;
  /** After a successful call: a write since the last refusal means there is space again. */
  succeeded(): void;
}

/**
 * Follows one connection's space: out of space from the first SQLITE_FULL until the file has grown
 * past its size at the last refusal. A successful write alone proves nothing: an update in place, or
 * an insert into freed pages, needs no new space and succeeds on a full disk too, so the sign that
 * space is back is a write that took some. `page_count` is read from the file's header (or the WAL's
 * newest frame) and only while out of space.
 */
export function createSpaceTracker(db: SqliteDatabase, listener: SpaceListener | undefined): SpaceTracker {
  const pageCount = (): number => db.pragma('page_count', { simple: true }) as number;
  let refusedAtPages: number | undefined;
  return {
    failed(error) {
      if (!isSqliteFull(error)) return false;
      const first = refusedAtPages === undefined;
      refusedAtPages = db.open ? pageCount() : (refusedAtPages ?? 0);
      if (first) listener?.(true);
      return true;
    },
    succeeded() {
      if (refusedAtPages === undefined || !db.open || pageCount() <= refusedAtPages) return;
      refusedAtPages = undefined;
      listener?.(false);
    },
  };
}

/**
 * A cap on how much the SQLite files opened with it may grow (`max_page_count`, per connection): it
 * stands for a full disk in tests, where filling a real file system is neither quick nor safe. Each
 * connection may add `headroomPages` pages to the size it had when the cap was applied; `lift()`
 * removes the cap from every connection, as freeing space on the disk would.
 */
export interface PageLimit {
  apply(db: SqliteDatabase): void;
  lift(): void;
}

/** SQLite's own ceiling of max_page_count: no cap. */
const NO_PAGE_LIMIT = 4_294_967_294;

export function createPageLimit(headroomPages: number): PageLimit {
  const capped = new Set<SqliteDatabase>();
  let lifted = false;
  return {
    apply(db) {
      if (lifted) return;
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + headroomPages}`);
      capped.add(db);
    },
    lift() {
      lifted = true;
      for (const db of capped) if (db.open) db.pragma(`max_page_count = ${NO_PAGE_LIMIT}`);
      capped.clear();
    },
  };
}

/** Runs synchronous SQLite work as a promise. */
export type Settle = <T>(work: () => T) => Promise<T>;

/**
 * Runs synchronous SQLite work so that a thrown error becomes a rejected promise, as callers of a port
 * expect. `space` hears of every call: a write refused for lack of space marks the connection out of
 * space, and the first write that takes space afterwards clears it. `toError` says what the caller
 * sees, told whether the failure was for lack of space.
 */
export function createSettle(
  space: SpaceTracker | undefined,
  toError: (error: unknown, outOfSpace: boolean) => Error,
): Settle {
  return <T>(work: () => T): Promise<T> => {
    try {
      const result = work();
      space?.succeeded();
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(toError(error, space?.failed(error) ?? false));
    }
  };
}
