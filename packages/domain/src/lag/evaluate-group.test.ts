import { describe, expect, it } from 'vitest';
import { evaluateGroup } from './evaluate-group.js';

const NOW = 1_000_000;
const steps = (rule: (i: number) => readonly [number, number]) =>
  Array.from({ length: 7 }, (_, i) => {
    const [committed, end] = rule(i);
    return { at: NOW - (6 - i) * 10_000, committed, end, lagSeconds: null };
  });

describe('evaluateGroup', () => {
  it('takes the worst status of its partitions and evaluates each', () => {
    const group = evaluateGroup(
      [
        { topic: 'orders', partition: 0, samples: steps(() => [10, 10]) },
        { topic: 'orders', partition: 1, samples: steps((i) => [20, 30 + i]) },
      ],
      { now: NOW, windowMs: 60_000, membersPresent: true },
    );
    expect(group.status).toBe('STALL');
    expect(group.partitions.map((p) => [p.partition, p.status, p.trend])).toEqual([
      [0, 'OK', 'steady'],
      [1, 'STALL', 'growing'],
    ]);
  });

  it('is OK for a group without partitions', () => {
    expect(evaluateGroup([], { now: NOW, windowMs: 60_000, membersPresent: false })).toEqual({
      status: 'OK',
      partitions: [],
    });
  });
});
