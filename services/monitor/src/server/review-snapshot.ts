import { reviewQueue, type ReviewQueue, type Store } from '@kafka-monitor/domain';

/**
 * Pending orders read per snapshot, oldest first. The overdue orders are the oldest, so their count is
 * exact as long as fewer than this many are overdue; the pending count comes from the totals and is
 * always exact.
 */
export const REVIEW_SCAN = 5_000;

/** The review queue as of `now`: the head of the pending orders and the counts, for the API and the gauges. */
export async function readReviewQueue(store: Store, now: number, slaMs: number): Promise<ReviewQueue> {
  const [totals, head] = await Promise.all([store.registry.totals(), store.registry.oldestPending(REVIEW_SCAN)]);
  return reviewQueue(head, totals.pendingCount, now, slaMs);
}
