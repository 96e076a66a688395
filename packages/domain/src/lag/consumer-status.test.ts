import { describe, expect, it } from 'vitest';
import { consumerStatus, windowOf, worstStatus } from './consumer-status.js';
import type { LagSample } from './lag-sample.js';

const WINDOW = 5 * 60_000;
const STEP = 30_000;
const NOW = 10_000_000;

/** Samples every 30 s ending at NOW, from [committed, end] pairs (oldest first). */
function offsets(pairs: readonly (readonly [number | null, number])[]): LagSample[] {
  return pairs.map(([committed, end], i) => ({
    at: NOW - (pairs.length - 1 - i) * STEP,
    committed,
    end,
    lagSeconds: null,
  }));
}

/** Eleven samples (a whole 5-minute window and its anchor) from a per-step rule. */
function window(rule: (i: number) => readonly [number, number]): LagSample[] {
  return offsets(Array.from({ length: 11 }, (_, i) => rule(i)));
}

const status = (samples: readonly LagSample[], membersPresent = true) =>
  consumerStatus(samples, { now: NOW, windowMs: WINDOW, membersPresent });

describe('consumer status (Burrow semantics over a window of samples)', () => {
  it('idle: no messages and no commits for the whole window is OK, with or without members', () => {
    const idle = window(() => [500, 500]);
    expect(status(idle)).toBe('OK');
    expect(status(idle, false)).toBe('OK');
  });

  it('OK: offsets move and the lag shrinks or stays bounded', () => {
    expect(status(window((i) => [100 + i * 20, 200 + i * 10]))).toBe('OK');
    expect(status(window((i) => [100 + i * 10 - (i % 2) * 5, 130 + i * 10]))).toBe('OK');
  });

  it('WARN: offsets move but the lag grows over the whole window', () => {
    expect(status(window((i) => [100 + i * 5, 150 + i * 10]))).toBe('WARN');
  });

  it('STALL: the committed offset does not move while lag waits and members are there', () => {
    expect(status(window((i) => [100, 150 + i]))).toBe('STALL');
    expect(status(window(() => [100, 150]))).toBe('STALL');
  });

  it('STOP: no commits over the window and the members are gone', () => {
    expect(
      status(
        window((i) => [100, 150 + i]),
        false,
      ),
    ).toBe('STOP');
  });

  it('REWIND: the committed offset went back and has not caught up again', () => {
    expect(status(window((i) => (i < 6 ? [400 + i * 10, 500 + i * 10] : [100 + i * 10, 500 + i * 10])))).toBe('REWIND');
  });

  it('a rewind that caught up with the offset before it no longer counts', () => {
    const samples = window((i) => (i === 5 ? [300, 600 + i] : [400 + i * 10, 600 + i]));
    expect(status(samples)).toBe('OK');
  });

  it('a rewind is reported even before a whole window was watched', () => {
    expect(
      status(
        offsets([
          [400, 500],
          [100, 500],
        ]),
      ),
    ).toBe('REWIND');
  });

  it('is OK while less than a whole window was watched, even with commits stopped', () => {
    expect(
      status(
        offsets([
          [100, 150],
          [100, 160],
          [100, 170],
        ]),
      ),
    ).toBe('OK');
  });

  it('is OK when the group was caught up at some point of the window', () => {
    expect(status(window((i) => [100, i === 3 ? 100 : 150 + i]))).toBe('OK');
  });

  it('is OK when the latest sample has no lag, whatever came before', () => {
    expect(
      status(
        window((i) => [i === 10 ? 160 : 100, 160]),
        false,
      ),
    ).toBe('OK');
  });

  it('ignores samples whose committed offset was not recovered, and samples in the future', () => {
    const restored = offsets(Array.from({ length: 11 }, (_, i) => [null, 150 + i] as const));
    expect(status([...restored, { at: NOW + STEP, committed: 100, end: 400, lagSeconds: null }])).toBe('OK');
  });

  it('is OK with no samples at all', () => {
    expect(status([])).toBe('OK');
  });
});

describe('windowOf', () => {
  it('keeps the samples of the window and the older one that anchors its start', () => {
    const samples = offsets(Array.from({ length: 20 }, (_, i) => [i, i] as const));
    const { samples: inWindow, complete } = windowOf(samples, NOW, WINDOW);
    expect(complete).toBe(true);
    expect(inWindow).toHaveLength(11);
    expect(inWindow[0]?.at).toBe(NOW - WINDOW);
  });

  it('is incomplete without a sample as old as the window', () => {
    expect(
      windowOf(
        offsets([
          [1, 1],
          [2, 2],
        ]),
        NOW,
        WINDOW,
      ).complete,
    ).toBe(false);
  });
});

describe('worstStatus', () => {
  it('ranks STOP over STALL over REWIND over WARN over OK', () => {
    expect(worstStatus([])).toBe('OK');
    expect(worstStatus(['OK', 'WARN'])).toBe('WARN');
    expect(worstStatus(['WARN', 'REWIND', 'OK'])).toBe('REWIND');
    expect(worstStatus(['REWIND', 'STALL'])).toBe('STALL');
    expect(worstStatus(['STALL', 'STOP', 'OK'])).toBe('STOP');
  });
});
