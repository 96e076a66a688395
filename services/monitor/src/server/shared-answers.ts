/**
 * Answers of the busiest reads (`/api/stats`, `/api/timeline`), serialised once and shared by every
 * request that arrives within `maxAgeMs` of it.
 *
 * Each open dashboard polls the same totals and the same newest orders. Without sharing, every poll
 * costs the store its queries and the monitor a serialisation of the same answer: on Cassandra the
 * timeline is one read per order for its status. With it, a second of polls from any number of
 * dashboards costs at most `1000 / maxAgeMs` loads per key, and an answer is never older than
 * `maxAgeMs` (the freshness the API promises is "within 1 s of a change").
 *
 * - Single flight: requests that arrive while a load runs wait for that load, not one of their own.
 * - Failures are not kept: the next request after a failed load loads again, so a store that is down
 *   answers 503 at once and one that is back answers at once.
 * - Bounded: at most `maxKeys` answers are kept (the timeline has one per `limit`), the oldest dropped.
 */
export interface SharedAnswers {
  /** The JSON text of `load()`'s answer for `key`, loaded at most once per `maxAgeMs`. */
  answer(key: string, load: () => Promise<unknown>): Promise<string>;
}

export interface SharedAnswersOptions {
  /** How long an answer is shared, in ms; 0 loads every request (no sharing). */
  readonly maxAgeMs: number;
  /** Answers kept at most (default 64). */
  readonly maxKeys?: number;
  /** A monotonic clock in ms (default `performance.now`), so wall-clock jumps never keep an answer. */
  readonly clock?: () => number;
}

interface Kept {
  readonly text: Promise<string>;
  /** When the load finished (clock ms); undefined while it runs. */
  loadedAt: number | undefined;
}

export function createSharedAnswers(options: SharedAnswersOptions): SharedAnswers {
  const { maxAgeMs } = options;
  const maxKeys = options.maxKeys ?? 64;
  const clock = options.clock ?? (() => performance.now());
  const kept = new Map<string, Kept>();

  const fresh = (entry: Kept): boolean => entry.loadedAt === undefined || clock() - entry.loadedAt < maxAgeMs;

  const loadInto = (key: string, load: () => Promise<unknown>): Kept => {
    const entry: Kept = {
      loadedAt: undefined,
      text: load().then(
        (value) => {
          entry.loadedAt = clock();
          return JSON.stringify(value);
        },
        (error: unknown) => {
          if (kept.get(key) === entry) kept.delete(key);
          throw error;
        },
      ),
    };
    kept.delete(key);
    kept.set(key, entry);
    while (kept.size > maxKeys) {
      const oldest = kept.keys().next().value;
      if (oldest === undefined) break;
      kept.delete(oldest);
    }
    return entry;
  };

  return {
    answer(key, load) {
      if (maxAgeMs <= 0) return load().then((value) => JSON.stringify(value));
      const entry = kept.get(key);
      return entry !== undefined && fresh(entry) ? entry.text : loadInto(key, load).text;
    },
  };
}
