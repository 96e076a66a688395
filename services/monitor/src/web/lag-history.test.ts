import { describe, expect, it } from 'vitest';
import type { ProcessorsData } from '../contract.js';
import { appendReading, fromKeptHistory } from './lag-history.js';

describe('the dashboard lag history', () => {
  it('merges the groups kept samples on one time axis, in seconds, with gaps where a group has none', () => {
    const group = (name: string, times: number[], lag: (number | null)[]) => ({
      name,
      'consumer-group': {
        group: name,
        history: { 'sample-every-seconds': 5, times, lag, 'lag-seconds': lag, 'end-offset': times.map(() => 0) },
      },
    });
    const data = {
      timestamp: 20_000,
      processors: [
        { name: 'order-processor', 'consumer-group': null },
        group('a', [5_000, 10_000], [1, null]),
        group('b', [10_000, 15_000], [7, 8]),
      ],
    } as unknown as ProcessorsData;
    expect(fromKeptHistory(data)).toEqual({
      times: [5, 10, 15],
      lag: { a: [1, null, null], b: [null, 7, 8] },
    });
  });

  it('appends live readings, ignores ones not newer, and keeps only the last hour', () => {
    let history = appendReading({ times: [], lag: {} }, 0, { a: 1 });
    history = appendReading(history, 0, { a: 99 });
    history = appendReading(history, 1_800, { a: 2, b: 5 });
    expect(history).toEqual({ times: [0, 1_800], lag: { a: [1, 2], b: [null, 5] } });
    history = appendReading(history, 3_601, { a: 3 });
    expect(history).toEqual({ times: [1_800, 3_601], lag: { a: [2, 3], b: [5, null] } });
  });
});
