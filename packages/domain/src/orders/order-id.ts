/**
 * A time-ordered order id: a UUID of version 7 (RFC 9562), the millisecond time in its first 48 bits
 * and random bits after. It is still a canonical UUID like any other order id on the wire, but ids
 * made one after another sort one after another, so every index keyed by order id (the views'
 * exactly-once claims, the timeline, the registered orders, the produced orders) grows at its end
 * instead of at a random page: a batch dirties a few pages instead of one per order (decision 10).
 *
 * `random` supplies at least 10 bytes; the caller owns the randomness (the domain has no I/O).
 */
export function timeOrderedOrderId(timeMs: number, random: Uint8Array): string {
  if (!Number.isInteger(timeMs) || timeMs < 0 || timeMs >= 2 ** 48) {
    throw new RangeError(`timeOrderedOrderId: time must be an integer millisecond from 0 to 2^48; got ${timeMs}`);
  }
  if (random.length < 10) throw new RangeError('timeOrderedOrderId: needs at least 10 random bytes');
  const time = timeMs.toString(16).padStart(12, '0');
  const hex = (byte: number): string => byte.toString(16).padStart(2, '0');
  // Version 7 in the high nibble of byte 6, variant 0b10 in the two high bits of byte 8.
  const versioned = hex(0x70 | ((random[0] ?? 0) & 0x0f)) + hex(random[1] ?? 0);
  const variant = hex(0x80 | ((random[2] ?? 0) & 0x3f)) + hex(random[3] ?? 0);
  let rest = '';
  for (let i = 4; i < 10; i++) rest += hex(random[i] ?? 0);
  return `${time.slice(0, 8)}-${time.slice(8)}-${versioned}-${variant}-${rest}`;
}
