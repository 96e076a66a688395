import type { ViewGenerationStore, ViewPointer, ViewStore } from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import { createCheckpoints, type Settle } from './checkpoint.js';
import { createReadCache } from './read-cache.js';
import { createSqliteViewStore, type SqliteViewStoreOptions } from './sqlite-view-store.js';
import { createViewTablesSql, dropViewTablesSql, viewTables } from './view-tables.js';

interface PointerRow {
  reads: number;
  writes: number;
  lease_owner: string | null;
  lease_until: number | null;
}

/**
 * Generations of the views in one SQLite file: tables suffixed `_g<N>` (view-tables.ts) and the
 * view_generations row. A pointer move and a lease change are each one statement, so atomic.
 */
export function createSqliteViewGenerations(
  db: SqliteDatabase,
  options: SqliteViewStoreOptions,
  settle: Settle,
): ViewGenerationStore {
  const sql = {
    pointer: db.prepare('SELECT * FROM view_generations WHERE id = 1'),
    move: db.prepare('UPDATE view_generations SET reads = ?, writes = ? WHERE id = 1 AND reads = ? AND writes = ?'),
    acquire: db.prepare(
      `UPDATE view_generations SET lease_owner = ?, lease_until = ?
       WHERE id = 1 AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)`,
    ),
    release: db.prepare(
      'UPDATE view_generations SET lease_owner = NULL, lease_until = NULL WHERE id = 1 AND lease_owner = ?',
    ),
  };
  const readPointer = (): ViewPointer => {
    const row = sql.pointer.get() as PointerRow;
    return { reads: row.reads, writes: row.writes };
  };
  const cachedPointer = createReadCache(db, readPointer);
  /** Each generation's views, prepared on first use: their statements need the tables to exist. */
  const stores = new Map<number, ViewStore>();
  const viewsOf = (generation: number): ViewStore => {
    let store = stores.get(generation);
    if (store === undefined) {
      const tables = viewTables(generation);
      store = createSqliteViewStore(db, createCheckpoints(db, tables), options, settle, tables);
      stores.set(generation, store);
    }
    return store;
  };
  const lazy = (generation: number): ViewStore => {
    const use = <T>(work: (store: ViewStore) => Promise<T>): Promise<T> => settle(() => viewsOf(generation)).then(work);
    return {
      applyOrders: (source, entries, now) => use((s) => s.applyOrders(source, entries, now)),
      totals: () => use((s) => s.totals()),
      topCustomers: (limit) => use((s) => s.topCustomers(limit)),
      customer: (customerId) => use((s) => s.customer(customerId)),
      topProducts: (limit) => use((s) => s.topProducts(limit)),
      searchProducts: (prefix, limit) => use((s) => s.searchProducts(prefix, limit)),
      product: (productId) => use((s) => s.product(productId)),
      timeline: (limit) => use((s) => s.timeline(limit)),
      timelineEntry: (orderId) => use((s) => s.timelineEntry(orderId)),
      appliedSource: (orderId) => use((s) => s.appliedSource(orderId)),
      processingStats: (processorId) => use((s) => s.processingStats(processorId)),
    };
  };

  return {
    pointer: (opts) =>
      settle(() => {
        if (opts?.fresh === true) cachedPointer.invalidate();
        return cachedPointer.get();
      }),
    movePointer: (expected, next) =>
      settle(() => {
        cachedPointer.invalidate();
        return sql.move.run(next.reads, next.writes, expected.reads, expected.writes).changes === 1;
      }),
    generation: lazy,
    create: (generation) =>
      settle(() => {
        if (generation === 0) throw new Error('views generation 0 is the original schema; it cannot be created again');
        const tables = viewTables(generation);
        stores.delete(generation);
        db.transaction(() => {
          db.exec(dropViewTablesSql(tables));
          db.exec(createViewTablesSql(tables));
        })();
      }),
    drop: (generation) =>
      settle(() => {
        stores.delete(generation);
        db.exec(dropViewTablesSql(viewTables(generation)));
      }),
    position: (generation, source) =>
      settle(() => {
        const tables = viewTables(generation);
        const row = db
          .prepare(`SELECT next_offset FROM ${tables.positions} WHERE consumer = ? AND topic = ? AND partition = ?`)
          .get(source.consumer, source.topic, source.partition) as { next_offset: number } | undefined;
        return row?.next_offset ?? 0;
      }),
    acquireLease: (owner, now, ttlMs) => settle(() => sql.acquire.run(owner, now + ttlMs, owner, now).changes === 1),
    releaseLease: (owner) => settle(() => void sql.release.run(owner)),
    lease: () =>
      settle(() => {
        const row = sql.pointer.get() as PointerRow;
        return row.lease_owner === null || row.lease_until === null
          ? undefined
          : { owner: row.lease_owner, until: row.lease_until };
      }),
  };
}
