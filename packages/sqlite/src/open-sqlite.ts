import type BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Database } from './driver.js';

export type SqliteDatabase = BetterSqlite3.Database;

/**
 * Opens a SQLite file that several processes may share: WAL lets readers run beside the writer and
 * the busy timeout makes writers queue instead of failing. synchronous=NORMAL keeps every committed
 * transaction across a process crash; only an operating-system crash can undo the newest commits.
 * Migrations are SQL scripts applied once each, in order, tracked in user_version; the check runs
 * inside the write lock so two processes starting together cannot apply one twice.
 */
export function openSqlite(file: string, migrations: readonly string[]): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 10000');
  const migrate = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < migrations.length; i++) db.exec(migrations[i] ?? '');
    if (version < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  });
  migrate.immediate();
  return db;
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}
