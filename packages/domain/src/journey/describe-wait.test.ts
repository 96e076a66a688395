import { describe, expect, it } from 'vitest';
import { describeWait, groupDigits } from './describe-wait.js';

describe('describeWait', () => {
  it('groups digits by three whatever the locale', () => {
    expect([0, 7, 999, 1_000, 1_204, 12_345_678, -4_321].map(groupDigits)).toEqual([
      '0',
      '7',
      '999',
      '1,000',
      '1,204',
      '12,345,678',
      '-4,321',
    ]);
  });

  it('says who, how many messages, where and about how long', () => {
    const wait = { processor: 'registry-processor', topic: 'registry', partition: 2, messages: 1_204 };
    expect(describeWait({ ...wait, etaSeconds: 3.01 })).toBe(
      'waiting for registry-processor: 1,204 messages of lag on registry/2, about 3 s',
    );
    expect(describeWait({ ...wait, messages: 1, etaSeconds: 0.2 })).toBe(
      'waiting for registry-processor: 1 message of lag on registry/2, under 1 s',
    );
    expect(describeWait({ ...wait, etaSeconds: 600 })).toContain('about 10 min');
    expect(describeWait({ ...wait, etaSeconds: null })).toContain('no throughput reported');
  });
});
