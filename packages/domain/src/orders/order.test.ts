import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, isOrderStatus } from './order.js';

describe('isOrderStatus', () => {
  it('accepts exactly pending, accepted and denied', () => {
    expect(ORDER_STATUSES).toEqual(['pending', 'accepted', 'denied']);
    for (const status of ORDER_STATUSES) expect(isOrderStatus(status)).toBe(true);
  });

  it.each([['shipped'], ['Pending'], [''], [' pending'], [null], [undefined], [1], [['pending']]])(
    'rejects %j',
    (value) => {
      expect(isOrderStatus(value)).toBe(false);
    },
  );
});
