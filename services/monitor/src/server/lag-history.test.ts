import { describe, expect, it } from 'vitest';
import type { PartitionLag } from '@kafka-monitor/domain';
import { createLagHistory, type GroupReading } from './lag-history.js';

const partition = (
  p: number,
  committedOffset: number,
  endOffset: number,
  oldest: number | null = null,
): PartitionLag => ({
  topic: 'orders',
  partition: p,
  committedOffset,
  endOffset,
  lag: endOffset - committedOffset,
  oldestUnreadTimestamp: oldest,
});
const reading = (members: number, ...lag: PartitionLag[]): GroupReading => ({ group: 'g', members, lag });

describe('lag history', () => {
  it('keeps 60 minutes of 5-second samples in 23,072 bytes per partition by default', () => {
    const history = createLagHistory();
    expect(history.bytesPerPartition).toBe(721 * 32);
    for (let i = 0; i <= 2 * 721; i++) history.record(reading(1, partition(0, i, i + 2)), i * 5_000);
    const series = history.series('g', -Infinity);
    expect(series.times).toHaveLength(721);
    expect((series.times.at(-1) ?? 0) - (series.times[0] ?? 0)).toBe(60 * 60_000);
  });

  it('keeps at most one sample per group per sampling interval, however often it is read', () => {
    const history = createLagHistory({ sampleEveryMs: 5_000 });
    for (let at = 0; at <= 20_000; at += 1_000) history.record(reading(1, partition(0, at, at)), at);
    expect(history.series('g', -Infinity).times).toEqual([0, 5_000, 10_000, 15_000, 20_000]);
  });

  it('evaluates the kept samples together with the reading itself', () => {
    const history = createLagHistory({ sampleEveryMs: 5_000, windowMs: 30_000 });
    for (let at = 0; at <= 60_000; at += 5_000) history.record(reading(1, partition(0, 10, 20 + at / 1_000)), at);
    const stalled = history.evaluate(reading(1, partition(0, 10, 82)), 62_000);
    expect(stalled.status).toBe('STALL');
    expect(stalled.partitions[0]).toMatchObject({ status: 'STALL', trend: 'growing', timeToDrainSeconds: 'growing' });
    expect(history.evaluate(reading(0, partition(0, 10, 82)), 62_000).status).toBe('STOP');
    // Caught up at the moment of the reading: OK, whatever came before.
    expect(history.evaluate(reading(0, partition(0, 82, 82)), 62_000).status).toBe('OK');
  });

  it('sums partitions per sample, with the largest lag in seconds', () => {
    const history = createLagHistory({ sampleEveryMs: 1_000 });
    history.record(reading(1, partition(0, 5, 8, -2_000), partition(1, 1, 2, -500)), 1_000);
    history.record(reading(1, partition(0, 8, 8), partition(1, 2, 2)), 2_000);
    expect(history.series('g', 0)).toEqual({
      times: [1_000, 2_000],
      lag: [4, 0],
      lagSeconds: [3, 0],
      endOffset: [10, 10],
    });
    expect(history.series('unknown', 0).times).toEqual([]);
  });

  it('seeds older samples under the kept ones, and unknown committed offsets read as unknown lag', () => {
    const history = createLagHistory({ sampleEveryMs: 1_000 });
    history.record(reading(1, partition(0, 9, 10)), 10_000);
    history.seed('g', 'orders', 0, [
      { at: 4_000, committed: null, end: 6, lagSeconds: null },
      { at: 2_000, committed: null, end: 3, lagSeconds: null },
      // Not older than what is kept: the live sample wins.
      { at: 10_000, committed: null, end: 99, lagSeconds: null },
    ]);
    expect(history.series('g', 0)).toEqual({
      times: [2_000, 4_000, 10_000],
      lag: [null, null, 1],
      lagSeconds: [null, null, 0],
      endOffset: [3, 6, 10],
    });
    // The seeded samples do not make a live one due before its time.
    history.record(reading(1, partition(0, 10, 10)), 10_500);
    expect(history.series('g', 0).times).toHaveLength(3);
  });
});
