import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

/**
 * The better-sqlite3 build this Node runs safely (decision 12):
 * - Node 22 and later: better-sqlite3 13 (installed under the alias `better-sqlite3-napi`), a
 *   Node-API addon shipped prebuilt. Version 12 compiled against Node 24.19+ headers aborts the process
 *   whenever the garbage collector frees a statement outside a JavaScript context (its `ObjectWrap`
 *   destructor asserts on a missing environment), which a long-running service hits within minutes.
 * - Node 20: better-sqlite3 12, compiled at install; version 13 requires Node 22 and crashes on 20.
 */
export const SQLITE_DRIVER =
  Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';

const require = createRequire(import.meta.url);

/** The driver's constructor; both versions share one API (and `@types/better-sqlite3`). */
export const Database = require(SQLITE_DRIVER) as typeof BetterSqlite3;

/** Its entry file, for threads that open their own connection (they `require` it by path). */
export const SQLITE_DRIVER_PATH = require.resolve(SQLITE_DRIVER);
