export { openSqlite, schemaVersion, type SqliteDatabase } from './open-sqlite.js';
export { startBackgroundCheckpoints, type BackgroundCheckpoints } from './background-checkpoints.js';
export {
  createPageLimit,
  createSpaceTracker,
  isSqliteFull,
  type PageLimit,
  type SpaceListener,
  type SpaceTracker,
} from './space.js';
