import type { Drift } from './drift.js';

/** One partition of a topic at the audit's cut: the end offset read when it started. */
export interface CutPartition {
  readonly topic: string;
  readonly partition: number;
  readonly endOffset: number;
}

/**
 * The result of one consistency audit: what was read up to the cut, what was compared, and every
 * difference with both values. Clean means no difference at all; rows changed by messages appended
 * after the cut are not compared (counted in `skippedAfterCut`), so live traffic is no false drift.
 */
export interface AuditReport {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly cut: readonly CutPartition[];
  /** Whether the processors' groups had consumed up to the cut before the store was read. */
  readonly caughtUp: boolean;
  /**
   * Messages read from `orders` and `registry`, those of them that were not decodable, and the
   * entries read from the snapshots of what retention deleted (decision 19).
   */
  readonly read: {
    readonly orders: number;
    readonly registry: number;
    readonly undecodable: number;
    readonly snapshot: number;
  };
  readonly compared: {
    readonly customers: number;
    readonly products: number;
    readonly registeredOrders: number;
    readonly totals: number;
  };
  readonly skippedAfterCut: number;
  readonly drifts: readonly Drift[];
  readonly clean: boolean;
}
