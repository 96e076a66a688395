import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from './partitioner.js';

/** UTF-8 bytes of a string (the domain has no TextEncoder typing: it is pure ES, no DOM or Node types). */
function utf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(bytes);
}

describe('utf8 (test helper)', () => {
  it('encodes one- to four-byte characters', () => {
    expect([...utf8('A')]).toEqual([0x41]);
    expect([...utf8('é')]).toEqual([0xc3, 0xa9]);
    expect([...utf8('注')]).toEqual([0xe6, 0xb3, 0xa8]);
    expect([...utf8('😀')]).toEqual([0xf0, 0x9f, 0x98, 0x80]);
  });
});

describe('murmur2', () => {
  // Kafka's own vectors: clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('matches Kafka UtilsTest for %j', (text, expected) => {
    expect(murmur2(utf8(text))).toBe(expected);
  });

  // Computed with Kafka's Utils.murmur2 (Java 17): every tail length 0–3, and bytes ≥ 0x80 (signed in Java).
  it.each([
    ['', 275646681],
    ['a', -1563381124],
    ['ab', 316155434],
    ['abcd', -1323649548],
    ['abcde', 461995741],
    ['00000000-0000-4000-8000-000000000001', -694496258],
    ['héllo-ñ', 241472269],
    ['注文-42', -787707910],
    ['\u00ff\u00fe\u00fd', -827240790],
  ])('matches Kafka for %j', (text, expected) => {
    expect(murmur2(utf8(text))).toBe(expected);
  });

  it('matches Kafka for raw bytes with the high bit set', () => {
    expect(murmur2(Uint8Array.from([0xff, 0x80, 0x7f, 0x01, 0xfe, 0x81, 0xc3]))).toBe(-1284076036);
  });

  it('always returns a signed 32-bit integer and does not modify its input', () => {
    const bytes = utf8('some-order-key');
    const copy = Uint8Array.from(bytes);
    const hash = murmur2(bytes);
    expect(Number.isInteger(hash)).toBe(true);
    expect(hash).toBeGreaterThanOrEqual(-2147483648);
    expect(hash).toBeLessThanOrEqual(2147483647);
    expect(bytes).toEqual(copy);
    expect(murmur2(bytes)).toBe(hash);
  });
});

describe('partitionForKey', () => {
  it('makes the hash positive with & 0x7fffffff like Kafka (not Math.abs)', () => {
    // murmur2("21") = -973932308; & 0x7fffffff = 1173551340, which is 0 mod 3 (Math.abs would give 2).
    expect(partitionForKey(utf8('21'), 3)).toBe(0);
    expect(partitionForKey(utf8('21'), 7)).toBe(3);
    expect(partitionForKey(utf8('foobar'), 3)).toBe(0);
    expect(partitionForKey(utf8('foobar'), 7)).toBe(0);
    expect(partitionForKey(utf8('abc'), 7)).toBe(4);
    expect(partitionForKey(utf8('a-little-bit-long-string'), 3)).toBe(2);
    expect(partitionForKey(utf8('00000000-0000-4000-8000-000000000001'), 3)).toBe(0);
    expect(partitionForKey(utf8('00000000-0000-4000-8000-000000000001'), 12)).toBe(6);
    expect(partitionForKey(utf8('注文-42'), 12)).toBe(10);
  });

  it('Given one partition, then every key goes to partition 0', () => {
    for (const key of ['', 'a', '21', 'foobar']) expect(partitionForKey(utf8(key), 1)).toBe(0);
  });

  it('Given many keys, then each partition is in range, stable for its key, and all partitions are used evenly', () => {
    for (const partitions of [3, 7, 12]) {
      const counts = new Array<number>(partitions).fill(0);
      const n = 6_000;
      for (let i = 0; i < n; i++) {
        const key = utf8(`order-${i}`);
        const partition = partitionForKey(key, partitions);
        expect(Number.isInteger(partition)).toBe(true);
        expect(partition).toBeGreaterThanOrEqual(0);
        expect(partition).toBeLessThan(partitions);
        expect(partitionForKey(utf8(`order-${i}`), partitions)).toBe(partition);
        counts[partition] = (counts[partition] ?? 0) + 1;
      }
      for (const count of counts) {
        expect(count).toBeGreaterThan((n / partitions) * 0.85);
        expect(count).toBeLessThan((n / partitions) * 1.15);
      }
    }
  });
});
