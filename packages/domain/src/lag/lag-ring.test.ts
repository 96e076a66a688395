import { describe, expect, it } from 'vitest';
import { LAG_SAMPLE_BYTES, LagRing } from './lag-ring.js';

const sample = (at: number, committed: number | null = at, lagSeconds: number | null = 0) => ({
  at,
  committed,
  end: at + 1,
  lagSeconds,
});

describe('LagRing', () => {
  it('keeps the newest samples up to its capacity, oldest first', () => {
    const ring = new LagRing(3);
    for (let at = 1; at <= 5; at++) ring.push(sample(at));
    expect(ring.size).toBe(3);
    expect(ring.samples().map((s) => s.at)).toEqual([3, 4, 5]);
    expect(ring.samples(4).map((s) => s.at)).toEqual([4, 5]);
  });

  it('takes a fixed amount of memory', () => {
    const ring = new LagRing(720);
    expect(ring.bytes).toBe(720 * LAG_SAMPLE_BYTES);
    for (let at = 0; at < 5_000; at++) ring.push(sample(at));
    expect(ring.bytes).toBe(720 * LAG_SAMPLE_BYTES);
  });

  it('keeps unknown values as null', () => {
    const ring = new LagRing(2);
    ring.push(sample(1, null, null));
    expect(ring.at(0)).toEqual({ at: 1, committed: null, end: 2, lagSeconds: null });
  });

  it('replaces the newest sample with one that is not later', () => {
    const ring = new LagRing(4);
    ring.push(sample(10));
    ring.push(sample(20, 5));
    ring.push(sample(20, 7));
    ring.push(sample(15, 9));
    expect(ring.samples().map((s) => [s.at, s.committed])).toEqual([
      [10, 10],
      [15, 9],
    ]);
  });

  it('refuses a capacity that holds nothing', () => {
    expect(() => new LagRing(0)).toThrow(RangeError);
    expect(() => new LagRing(1.5)).toThrow(RangeError);
  });
});
