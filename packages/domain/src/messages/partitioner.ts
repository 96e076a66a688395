/**
 * Kafka's default partitioner (murmur2 of the key bytes, made positive, modulo the partition count), so
 * the embedded log places every order in the partition a Kafka producer would have chosen.
 */
function byteAt(data: Uint8Array, index: number): number {
  return data[index] ?? 0;
}

export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length - (length % 4);
  for (let i = 0; i < whole; i += 4) {
    let k = byteAt(data, i) | (byteAt(data, i + 1) << 8) | (byteAt(data, i + 2) << 16) | (byteAt(data, i + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length % 4;
  if (rest === 3) h ^= byteAt(data, whole + 2) << 16;
  if (rest >= 2) h ^= byteAt(data, whole + 1) << 8;
  if (rest >= 1) {
    h ^= byteAt(data, whole);
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionForKey(keyBytes: Uint8Array, partitions: number): number {
  return (murmur2(keyBytes) & 0x7fffffff) % partitions;
}
