export { openSqlite, schemaVersion, type SqliteDatabase } from './open-sqlite.js';
