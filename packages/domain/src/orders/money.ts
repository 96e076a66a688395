/** Money travels as a JSON number with two decimals; inside the system it is always integer cents. */
export type Cents = number;

/** Largest amount the system accepts, in whole units: keeps every sum of cents a safe integer. */
export const MAX_MONEY = 1e12;

/** Converts a wire amount to cents, or undefined when it has more than two decimals. */
export function toCents(amount: number): Cents | undefined {
  const scaled = amount * 100;
  const cents = Math.round(scaled);
  // Binary floats make 19.99 * 100 = 1998.9999999999998; a micro-cent tolerance absorbs that. From
  // about 1e8 the product's own rounding error exceeds a micro-cent, so an amount is also
  // accepted when it is exactly the double nearest to its two-decimal value (cents / 100).
  return Math.abs(scaled - cents) < 1e-6 || cents / 100 === amount ? cents : undefined;
}

export function fromCents(cents: Cents): number {
  return cents / 100;
}

/**
 * Formats an amount the way the original (a JVM) printed doubles: `100.0`, `12.5`, `0.99`, and in
 * scientific notation from 10^7 up or below 10^-3 (`1.2345678E7`). Rule messages are part of the
 * wire format, so they must read exactly as before.
 */
export function formatAmount(amount: number): string {
  const magnitude = Math.abs(amount);
  if (magnitude !== 0 && (magnitude >= 1e7 || magnitude < 1e-3)) {
    const [mantissa = '', exponent = ''] = amount.toExponential().split('e');
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
  }
  return Number.isInteger(amount) ? amount.toFixed(1) : String(amount);
}
