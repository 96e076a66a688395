import { routeViewGenerations, type Store } from '@kafka-monitor/domain';
import {
  createSpaceTracker,
  openSqlite,
  startBackgroundCheckpoints,
  type PageLimit,
  type SpaceListener,
} from '@kafka-monitor/sqlite';
import { createCheckpoints, createStoreSettle } from './checkpoint.js';
import { describeSqliteStore } from './describe-store.js';
import { createSqliteControlStore } from './sqlite-control-store.js';
import { createSqliteDeadLetterStore } from './sqlite-dead-letter-store.js';
import { createSqliteProducedStore } from './sqlite-produced-store.js';
import { createSqliteRegistryStore } from './sqlite-registry-store.js';
import { createSqliteViewGenerations } from './sqlite-view-generations.js';

import { STORE_MIGRATIONS } from './schema.js';

export interface SqliteStoreOptions {
  /** SQLite file, or ':memory:' for a private in-process store. */
  readonly file: string;
  readonly timelineRetention?: number;
  /** Checkpoint the WAL on a worker thread instead of in the committing call (long-running services). */
  readonly backgroundCheckpoints?: boolean;
  /** Told when writes start and stop being refused for lack of space. */
  readonly onOutOfSpace?: SpaceListener;
  /** Caps the file's growth: a full disk for tests (see @kafka-monitor/sqlite). */
  readonly pageLimit?: PageLimit;
}

/** The embedded store: views, registry and produced orders in one SQLite file, migrated on open. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openSqlite(options.file, STORE_MIGRATIONS);
  options.pageLimit?.apply(db);
  const settle = createStoreSettle(createSpaceTracker(db, options.onOutOfSpace));
  const checkpoints = createCheckpoints(db);
  const ping = db.prepare('SELECT 1');
  const background =
    options.backgroundCheckpoints === true && options.file !== ':memory:'
      ? startBackgroundCheckpoints(db, options.file)
      : undefined;
  const viewGenerations = createSqliteViewGenerations(
    db,
    { timelineRetention: options.timelineRetention ?? 10_000 },
    settle,
  );
  return {
    views: routeViewGenerations(viewGenerations),
    viewGenerations,
    registry: createSqliteRegistryStore(db, checkpoints, settle),
    produced: createSqliteProducedStore(db, settle),
    control: createSqliteControlStore(db, settle),
    deadLetters: createSqliteDeadLetterStore(db, settle),
    // Opening already applied the migrations; this keeps the port's contract for stores that cannot.
    migrate: () => Promise.resolve(),
    ping: () => settle(() => void ping.get()),
    describe: () => settle(() => describeSqliteStore(db, options.file)),
    async close() {
      await background?.stop();
      return settle(() => void db.close());
    },
  };
}
