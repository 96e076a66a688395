import { describe, expect, it } from 'vitest';
import { positionOfToken, positionToken } from './rows.js';

describe('positionOfToken', () => {
  it('reads back the position a token names, whatever the group name holds', () => {
    expect(positionOfToken(positionToken('query-processor', 'orders', 2, 41))).toEqual({
      topic: 'orders',
      partition: 2,
      offset: 41,
    });
    expect(positionOfToken(positionToken('a|b', 'registry', 0, 7))).toEqual({
      topic: 'registry',
      partition: 0,
      offset: 7,
    });
  });

  it('answers null for a token of another shape', () => {
    expect(positionOfToken('')).toBeNull();
    expect(positionOfToken('group|orders|x|1')).toBeNull();
    expect(positionOfToken('orders|1|2')).toBeNull();
  });
});
