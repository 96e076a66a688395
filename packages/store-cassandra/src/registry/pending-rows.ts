import type { Session } from '../session.js';
import { writeRows, type PartitionWrite } from '../writes.js';

export type PendingRows = ReturnType<typeof pendingRows>;

/**
 * Row writes of a batch's registrations, held back and sent in unlogged batches (writes.ts). A
 * decision reads what registrations wrote, so every decision flushes them first, as does the commit.
 * Flushes go one after another (each one's batches bounded in flight by writeRows), so the orders
 * applied side by side never multiply the batches in flight.
 */
export function pendingRows(session: Session) {
  let pending: PartitionWrite[] = [];
  let sending: Promise<void> = Promise.resolve();
  return {
    add(rows: readonly PartitionWrite[]): void {
      pending.push(...rows);
    },
    /** Sends what is pending after what was sent before; settles once all of it has, with its first failure. */
    async flush(): Promise<void> {
      if (pending.length > 0) {
        const rows = pending;
        sending = sending.then(() => writeRows(session, rows));
      }
      pending = [];
      await sending;
    },
    /** After a failure: drops what is pending and waits out what was sent, so no retry overlaps it. */
    async abandon(): Promise<void> {
      pending = [];
      await sending.catch(() => undefined);
    },
  };
}
