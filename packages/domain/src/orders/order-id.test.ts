import { describe, expect, it } from 'vitest';
import { timeOrderedOrderId } from './order-id.js';

const CANONICAL_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function bytes(fill: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length: 10 }, (_, i) => fill(i));
}

describe('timeOrderedOrderId', () => {
  it('is a canonical version-7 UUID carrying the millisecond time in its first 48 bits', () => {
    const time = Date.UTC(2026, 10, 27, 1, 2, 3, 456);
    const id = timeOrderedOrderId(
      time,
      bytes(() => 0xff),
    );
    expect(id).toMatch(CANONICAL_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(time);
    // All-ones random bytes still keep the version and variant bits.
    expect(id.slice(14, 15)).toBe('7');
    expect(id.slice(19, 20)).toBe('b');
    expect(
      timeOrderedOrderId(
        time,
        bytes(() => 0),
      ).slice(14),
    ).toBe('7000-8000-000000000000');
  });

  it('sorts by time as text, whatever the random part', () => {
    const ids = [1, 2, 1_000, 2 ** 32, 2 ** 40 + 5].map((t, i) =>
      timeOrderedOrderId(
        t,
        bytes((j) => (i * 37 + j * 101) % 256),
      ),
    );
    expect([...ids].sort()).toEqual(ids);
  });

  it('differs in its random part for the same millisecond', () => {
    const a = timeOrderedOrderId(
      5,
      bytes((i) => i),
    );
    const b = timeOrderedOrderId(
      5,
      bytes((i) => i + 1),
    );
    expect(a).not.toBe(b);
    expect(a.slice(0, 13)).toBe(b.slice(0, 13));
  });

  it('refuses a time it cannot encode and too few random bytes', () => {
    expect(() =>
      timeOrderedOrderId(
        -1,
        bytes(() => 0),
      ),
    ).toThrow(RangeError);
    expect(() =>
      timeOrderedOrderId(
        1.5,
        bytes(() => 0),
      ),
    ).toThrow(RangeError);
    expect(() =>
      timeOrderedOrderId(
        2 ** 48,
        bytes(() => 0),
      ),
    ).toThrow(RangeError);
    expect(() => timeOrderedOrderId(0, new Uint8Array(9))).toThrow(RangeError);
  });
});
