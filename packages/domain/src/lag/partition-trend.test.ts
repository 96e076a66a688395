import { describe, expect, it } from 'vitest';
import type { LagSample } from './lag-sample.js';
import { partitionTrend } from './partition-trend.js';

const NOW = 1_000_000;
const WINDOW = 60_000;

/** One sample every 10 s ending at NOW. */
function every10s(pairs: readonly (readonly [number | null, number])[], lagSeconds: number | null = null): LagSample[] {
  return pairs.map(([committed, end], i) => ({
    at: NOW - (pairs.length - 1 - i) * 10_000,
    committed,
    end,
    lagSeconds,
  }));
}

describe('partition trend', () => {
  it('a shrinking lag: rates, slope and the time until it reaches zero', () => {
    // Appends 1/s, commits 3/s: the lag falls by 2/s from 140 to 20.
    const trend = partitionTrend(
      every10s(
        Array.from({ length: 7 }, (_, i) => [100 + 30 * i, 240 + 10 * i] as const),
        12,
      ),
      NOW,
      WINDOW,
    );
    expect(trend.lag).toBe(20);
    expect(trend.lagSeconds).toBe(12);
    expect(trend.consumeRate).toBeCloseTo(3);
    expect(trend.produceRate).toBeCloseTo(1);
    expect(trend.lagSlope).toBeCloseTo(-2);
    expect(trend.trend).toBe('shrinking');
    expect(trend.timeToDrainSeconds).toBeCloseTo(10);
  });

  it('a growing lag never drains at this pace', () => {
    const trend = partitionTrend(
      every10s(Array.from({ length: 7 }, (_, i) => [100 + i, 100 + 5 * i] as const)),
      NOW,
      WINDOW,
    );
    expect(trend.trend).toBe('growing');
    expect(trend.timeToDrainSeconds).toBe('growing');
    expect(trend.consumeRate).toBeCloseTo(0.1);
    expect(trend.produceRate).toBeCloseTo(0.5);
  });

  it('idle: no lag, no traffic, steady, drained', () => {
    const trend = partitionTrend(
      every10s(
        Array.from({ length: 7 }, () => [50, 50] as const),
        0,
      ),
      NOW,
      WINDOW,
    );
    expect(trend).toMatchObject({ lag: 0, consumeRate: 0, produceRate: 0, lagSlope: 0, trend: 'steady' });
    expect(trend.timeToDrainSeconds).toBe(0);
  });

  it('a steady non-zero lag has no time to drain', () => {
    const trend = partitionTrend(
      every10s(Array.from({ length: 7 }, (_, i) => [10 * i, 10 * i + 40] as const)),
      NOW,
      WINDOW,
    );
    expect(trend.trend).toBe('steady');
    expect(trend.lag).toBe(40);
    expect(trend.timeToDrainSeconds).toBeNull();
  });

  it('reads nothing it cannot know: one sample, or no committed offset', () => {
    expect(partitionTrend(every10s([[5, 9]]), NOW, WINDOW)).toMatchObject({
      lag: 4,
      consumeRate: null,
      produceRate: null,
      trend: null,
      timeToDrainSeconds: null,
    });
    const restored = partitionTrend(
      every10s([
        [null, 10],
        [null, 30],
      ]),
      NOW,
      WINDOW,
    );
    expect(restored).toMatchObject({ lag: null, consumeRate: null, trend: null, timeToDrainSeconds: null });
    expect(restored.produceRate).toBeCloseTo(2);
  });

  it('a rewind reads as no consumption rather than a negative rate', () => {
    expect(
      partitionTrend(
        every10s([
          [100, 200],
          [40, 200],
        ]),
        NOW,
        WINDOW,
      ).consumeRate,
    ).toBe(0);
  });

  it('only the samples of the window count', () => {
    const old = { at: NOW - 10 * WINDOW, committed: 0, end: 0, lagSeconds: null };
    const trend = partitionTrend(
      [
        old,
        ...every10s([
          [10, 10],
          [20, 20],
        ]),
      ],
      NOW,
      WINDOW,
    );
    expect(trend.produceRate).toBeCloseTo(1);
  });
});
