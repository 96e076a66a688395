export { openSqlite, schemaVersion, type SqliteDatabase } from './open-sqlite.js';
export { startBackgroundCheckpoints, type BackgroundCheckpoints } from './background-checkpoints.js';
