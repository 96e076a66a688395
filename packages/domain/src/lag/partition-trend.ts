import { sampleLag, type LagSample } from './lag-sample.js';

export type LagTrend = 'growing' | 'shrinking' | 'steady';

export interface PartitionTrend {
  /** Messages not committed, at the latest sample (null before any committed offset is known). */
  readonly lag: number | null;
  readonly lagSeconds: number | null;
  /** Messages per second committed by the group over the window (null with fewer than two samples). */
  readonly consumeRate: number | null;
  /** Messages per second appended to the partition over the window. */
  readonly produceRate: number | null;
  /** Slope of the lag over the window, in messages per second (least squares). */
  readonly lagSlope: number | null;
  readonly trend: LagTrend | null;
  /**
   * Seconds until the lag reaches zero at the current slope: 0 when caught up, 'growing' when it will
   * not at this pace, null when it cannot be told (too few samples, or a steady lag).
   */
  readonly timeToDrainSeconds: number | 'growing' | null;
}

/** Least-squares slope of y over x; null when x does not vary. */
function slope(points: readonly (readonly [number, number])[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? null : num / den;
}

/** Rate per second between the first and the last point (counters only go forward, a rewind reads 0). */
function rate(first: LagSample, last: LagSample, value: (s: LagSample) => number | null): number | null {
  const seconds = (last.at - first.at) / 1000;
  const from = value(first);
  const to = value(last);
  if (seconds <= 0 || from === null || to === null) return null;
  return Math.max(0, (to - from) / seconds);
}

/**
 * Lag, rates, trend and time to drain of one partition over the samples of the last `windowMs`. A lag
 * is steady when its slope would move it by less than one message over the whole window.
 */
export function partitionTrend(history: readonly LagSample[], now: number, windowMs: number): PartitionTrend {
  const recent = history.filter((s) => s.at >= now - windowMs && s.at <= now);
  const known = recent.filter((s) => s.committed !== null);
  const last = history.filter((s) => s.at <= now).at(-1);
  const lag = last === undefined ? null : sampleLag(last);
  const first = recent[0];
  const latest = recent.at(-1);
  const firstKnown = known[0];
  const latestKnown = known.at(-1);
  const lagSlope = slope(known.map((s) => [s.at / 1000, sampleLag(s) ?? 0] as const));
  const windowSeconds = windowMs / 1000;
  const trend: LagTrend | null =
    lagSlope === null
      ? null
      : Math.abs(lagSlope) * windowSeconds < 1
        ? 'steady'
        : lagSlope > 0
          ? 'growing'
          : 'shrinking';
  const timeToDrainSeconds =
    lag === 0
      ? 0
      : lag === null || lagSlope === null || trend === 'steady'
        ? null
        : trend === 'growing'
          ? 'growing'
          : lag / -lagSlope;
  return {
    lag,
    lagSeconds: last?.lagSeconds ?? null,
    consumeRate:
      firstKnown !== undefined && latestKnown !== undefined ? rate(firstKnown, latestKnown, (s) => s.committed) : null,
    produceRate: first !== undefined && latest !== undefined ? rate(first, latest, (s) => s.end) : null,
    lagSlope,
    trend,
    timeToDrainSeconds,
  };
}
