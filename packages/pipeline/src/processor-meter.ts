/** Live figures of one processor instance, kept in memory for the status API and metrics. */
export interface ProcessorSnapshot {
  readonly startedAt: number;
  readonly processed: number;
  readonly errors: number;
  readonly lastProcessedAt: number | null;
  /** Messages per second averaged over the last minute (or since start when younger). */
  readonly throughputPerSecond: number;
}

const WINDOW_SECONDS = 60;

/**
 * Counts processed messages in one-second buckets of a ring, so throughput over the last minute costs
 * O(60) to read and O(1) to record, whatever the rate.
 */
export class ProcessorMeter {
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #buckets = new Array<number>(WINDOW_SECONDS).fill(0);
  readonly #bucketSecond = new Array<number>(WINDOW_SECONDS).fill(-1);
  #processed = 0;
  #errors = 0;
  #lastProcessedAt: number | null = null;

  constructor(now: () => number) {
    this.#now = now;
    this.#startedAt = now();
  }

  record(processed: number, errors: number): void {
    const now = this.#now();
    const second = Math.floor(now / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.#bucketSecond[slot] !== second) {
      this.#bucketSecond[slot] = second;
      this.#buckets[slot] = 0;
    }
    this.#buckets[slot] = (this.#buckets[slot] ?? 0) + processed + errors;
    this.#processed += processed;
    this.#errors += errors;
    if (processed + errors > 0) this.#lastProcessedAt = now;
  }

  snapshot(): ProcessorSnapshot {
    const now = this.#now();
    const second = Math.floor(now / 1000);
    let recent = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      const at = this.#bucketSecond[i] ?? -1;
      if (at > second - WINDOW_SECONDS && at <= second) recent += this.#buckets[i] ?? 0;
    }
    const seconds = Math.min(WINDOW_SECONDS, Math.max(1, (now - this.#startedAt) / 1000));
    return {
      startedAt: this.#startedAt,
      processed: this.#processed,
      errors: this.#errors,
      lastProcessedAt: this.#lastProcessedAt,
      throughputPerSecond: recent / seconds,
    };
  }
}
