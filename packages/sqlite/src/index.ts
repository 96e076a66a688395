export { openSqlite, schemaVersion, type SqliteDatabase } from './open-sqlite.js';
export { startBackgroundCheckpoints, type BackgroundCheckpoints } from './background-checkpoints.js';
export {
  createPageLimit,
  createSettle,
  createSpaceTracker,
  isSqliteFull,
  type PageLimit,
  type Settle,
  type SpaceListener,
  type SpaceTracker,
} from './space.js';
