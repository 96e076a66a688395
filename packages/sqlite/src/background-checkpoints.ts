import { Worker } from 'node:worker_threads';
import { SQLITE_DRIVER_PATH } from './driver.js';
import type { SqliteDatabase } from './open-sqlite.js';

/**
 * Runs on its own thread with its own connection: copies committed WAL frames into the database file
 * (PASSIVE: never waits for, nor blocks, readers and writers). Plain CommonJS so it runs the same from
 * sources (tsx) and from a build.
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ failed: String(error && error.message) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** SQLite's own default: the committing connection checkpoints once the WAL holds this many pages. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;
/**
 * With the worker running, the committing connection still checkpoints, but only past this many pages
 * (40 MB). A passive checkpoint on another thread can copy frames but cannot restart the WAL while
 * commits keep appending to it; the committer's own checkpoint, finding nearly every frame copied
 * already, finishes quickly and lets the next commit start the WAL from the beginning again.
 */
const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;

export interface BackgroundCheckpoints {
  /** Stops the thread; commits checkpoint themselves again afterwards. */
  stop(): Promise<void>;
}

/**
 * Moves most WAL checkpoint work off the caller's thread. A checkpoint copies pages into the database
 * file and syncs it, which stalls whoever commits when the WAL passes its threshold: on the event loop
 * that is a pause of every consumer in the process, several times a second under load. Here a worker
 * thread checkpoints every `intervalMs`, and the committing connection only past a 10x higher
 * threshold, to restart the WAL (see BACKSTOP_AUTOCHECKPOINT_PAGES). Should the thread die, the
 * connection goes back to SQLite's default threshold.
 */
export function startBackgroundCheckpoints(
  db: SqliteDatabase,
  file: string,
  options: { intervalMs?: number; onError?: (message: string) => void } = {},
): BackgroundCheckpoints {
  const worker = new Worker(CHECKPOINTER_SOURCE, {
    eval: true,
    workerData: { file, driver: SQLITE_DRIVER_PATH, intervalMs: options.intervalMs ?? 100 },
  });
  // Checkpointing is housekeeping: it must never keep a process alive that is otherwise done.
  worker.unref();
  let stopping = false;
  let exited = false;
  const restoreAutoCheckpoint = (): void => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  worker.on('message', (message: { failed?: string }) => {
    if (message.failed !== undefined) options.onError?.(message.failed);
  });
  worker.on('error', (error) => options.onError?.(error.message));
  const exit = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      if (!stopping) restoreAutoCheckpoint();
      resolve();
    }),
  );
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      restoreAutoCheckpoint();
      if (!exited) {
        // Held while it winds down: an unreferenced worker would let a process with nothing else to
        // do exit in the middle of this await, skipping whatever its shutdown does next.
        worker.ref();
        worker.postMessage('stop');
      }
      await exit;
    },
  };
}
