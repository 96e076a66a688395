import { describe, expect, it } from 'vitest';
import { MAX_MONEY, formatAmount, fromCents, toCents } from './money.js';

describe('toCents', () => {
  it('Given amounts with at most two decimals, then it returns exact integer cents', () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(0.01)).toBe(1);
    expect(toCents(0.1)).toBe(10);
    expect(toCents(1)).toBe(100);
    expect(toCents(0)).toBe(0);
    expect(toCents(1000)).toBe(100_000);
    expect(toCents(-5.5)).toBe(-550);
  });

  it('Given amounts whose float product is not an exact integer, then it still rounds to the right cent', () => {
    // 19.99 * 100 = 1998.9999999999998 and 1.15 * 100 = 114.99999999999999 in binary floats.
    expect(19.99 * 100).not.toBe(1999);
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(1.15)).toBe(115);
    expect(toCents(4.35)).toBe(435);
    expect(toCents(0.1 + 0.2)).toBe(30);
  });

  it('Given amounts with three or more significant decimals, then it returns undefined', () => {
    expect(toCents(1.005)).toBeUndefined();
    expect(toCents(19.999)).toBeUndefined();
    expect(toCents(0.001)).toBeUndefined();
    expect(toCents(123456789.123)).toBeUndefined();
    expect(toCents(Math.PI)).toBeUndefined();
  });

  it('Given every two-decimal amount from 0.00 to 99.99, then toCents inverts the wire decimal exactly', () => {
    for (let cents = 0; cents < 10_000; cents++) {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      expect(toCents(Number(text))).toBe(cents);
    }
  });

  it('Given large two-decimal amounts up to MAX_MONEY, then they are exact cents, not "too many decimals"', () => {
    // Regression: above about 1e8 the product amount * 100 drifts by more than a micro-cent.
    expect(toCents(143658087.11)).toBe(14365808711);
    expect(toCents(10000000000.03)).toBe(1000000000003);
    expect(toCents(655876690320.2)).toBe(65587669032020);
    expect(toCents(999999999999.99)).toBe(99999999999999);
    expect(toCents(MAX_MONEY)).toBe(MAX_MONEY * 100);
    for (let units = 100_000_000; units < 1_000_000_000_000; units = units * 7 + 13) {
      for (const cents of [1, 3, 7, 11, 45, 99]) {
        expect(toCents(Number(`${units}.${String(cents).padStart(2, '0')}`))).toBe(units * 100 + cents);
      }
    }
  });
});

describe('fromCents', () => {
  it('converts cents back to the wire amount', () => {
    expect(fromCents(1999)).toBe(19.99);
    expect(fromCents(1)).toBe(0.01);
    expect(fromCents(100)).toBe(1);
    expect(fromCents(0)).toBe(0);
    expect(fromCents(-550)).toBe(-5.5);
  });

  it('is the inverse of toCents', () => {
    for (const cents of [0, 1, 99, 100, 1999, 2100, 123_456, 10_000_000, 99_999_999_999_999]) {
      expect(toCents(fromCents(cents))).toBe(cents);
    }
  });
});

describe('formatAmount', () => {
  it('prints whole amounts with one decimal, as a JVM prints doubles', () => {
    expect(formatAmount(100)).toBe('100.0');
    expect(formatAmount(1)).toBe('1.0');
    expect(formatAmount(0)).toBe('0.0');
    expect(formatAmount(100000)).toBe('100000.0');
    expect(formatAmount(-5)).toBe('-5.0');
  });

  it('prints fractional amounts with their significant decimals only', () => {
    expect(formatAmount(12.5)).toBe('12.5');
    expect(formatAmount(0.99)).toBe('0.99');
    expect(formatAmount(0.5)).toBe('0.5');
    expect(formatAmount(21.01)).toBe('21.01');
    expect(formatAmount(fromCents(1999))).toBe('19.99');
  });

  it('switches to scientific notation outside [10^-3, 10^7), as Double.toString does', () => {
    expect(formatAmount(9_999_999.99)).toBe('9999999.99');
    expect(formatAmount(10_000_000)).toBe('1.0E7');
    expect(formatAmount(12_345_678.9)).toBe('1.23456789E7');
    expect(formatAmount(-20_000_000)).toBe('-2.0E7');
    expect(formatAmount(0.001)).toBe('0.001');
    expect(formatAmount(0.0005)).toBe('5.0E-4');
  });
});
