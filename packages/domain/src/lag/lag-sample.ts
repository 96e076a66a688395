/** One reading of a partition for one consumer group, taken by the monitor at `at` (epoch ms). */
export interface LagSample {
  readonly at: number;
  /** Next offset the group will read; null when the reading could not be recovered (see restore). */
  readonly committed: number | null;
  /** Offset the next appended message gets. */
  readonly end: number;
  /** Age in seconds of the oldest message the group had not committed; null when unknown. */
  readonly lagSeconds: number | null;
}

/** Messages between the committed offset and the end of the log; unknown without a committed offset. */
export function sampleLag(sample: LagSample): number | null {
  return sample.committed === null ? null : Math.max(0, sample.end - sample.committed);
}
