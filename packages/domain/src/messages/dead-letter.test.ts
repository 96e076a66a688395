import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_HEADERS,
  MAX_DEAD_LETTER_REASON,
  collectDeadLetter,
  deadLetterHeaders,
  isDeadLetterStatus,
  readDeadLetterHeaders,
  type DeadLetterInfo,
} from './dead-letter.js';

const INFO: DeadLetterInfo = {
  topic: 'orders',
  partition: 2,
  offset: 1234,
  group: 'query-processor',
  reason: "'quantity' must be an integer; 'total' must be a number",
  failedAt: 1_700_000_000_000,
};

const headers = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
  const all: Record<string, string | undefined> = { ...deadLetterHeaders(INFO), ...overrides };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
};

describe('deadLetterHeaders', () => {
  it('writes the Kafka Connect style header names, every value a string', () => {
    expect(deadLetterHeaders(INFO)).toStrictEqual({
      'dlq.source.topic': 'orders',
      'dlq.source.partition': '2',
      'dlq.source.offset': '1234',
      'dlq.consumer.group': 'query-processor',
      'dlq.reason': "'quantity' must be an integer; 'total' must be a number",
      'dlq.failed.at': '1700000000000',
    });
  });
});

describe('readDeadLetterHeaders', () => {
  it('Given headers written by deadLetterHeaders, then it reads the same info back', () => {
    expect(readDeadLetterHeaders(deadLetterHeaders(INFO))).toStrictEqual(INFO);
  });

  it('Given edge values (partition 0, offset 0, empty reason, unicode), then they round trip', () => {
    const info: DeadLetterInfo = { ...INFO, partition: 0, offset: 0, reason: '', topic: 'registry', group: 'grüppe ✓' };
    expect(readDeadLetterHeaders(deadLetterHeaders(info))).toStrictEqual(info);
  });

  it('Given extra headers, then they are ignored', () => {
    expect(readDeadLetterHeaders({ ...deadLetterHeaders(INFO), traceparent: 'x' })).toStrictEqual(INFO);
  });

  it('Given no headers at all, then undefined', () => {
    expect(readDeadLetterHeaders({})).toBeUndefined();
  });

  it.each(Object.values(DEAD_LETTER_HEADERS))('Given the header %s is missing, then undefined', (name) => {
    expect(readDeadLetterHeaders(headers({ [name]: undefined }))).toBeUndefined();
  });

  it.each([
    ['partition', DEAD_LETTER_HEADERS.sourcePartition, 'two'],
    ['partition', DEAD_LETTER_HEADERS.sourcePartition, '1.5'],
    ['partition', DEAD_LETTER_HEADERS.sourcePartition, ''],
    ['partition', DEAD_LETTER_HEADERS.sourcePartition, ' '],
    ['partition', DEAD_LETTER_HEADERS.sourcePartition, '0x10'],
    ['offset', DEAD_LETTER_HEADERS.sourceOffset, 'NaN'],
    ['offset', DEAD_LETTER_HEADERS.sourceOffset, ''],
    ['offset', DEAD_LETTER_HEADERS.sourceOffset, '12abc'],
    ['offset', DEAD_LETTER_HEADERS.sourceOffset, '1e3'],
    ['failed-at', DEAD_LETTER_HEADERS.failedAt, 'Infinity'],
    ['failed-at', DEAD_LETTER_HEADERS.failedAt, 'yesterday'],
    ['failed-at', DEAD_LETTER_HEADERS.failedAt, ''],
  ])('Given a garbled %s header (%s = %j), then undefined', (_label, name, value) => {
    expect(readDeadLetterHeaders(headers({ [name]: value }))).toBeUndefined();
  });
});

describe('collectDeadLetter', () => {
  const message = (headers: Record<string, string>) => ({
    topic: 'orders.dlq',
    partition: 0,
    offset: 17,
    key: 'k',
    value: Uint8Array.from([1, 2, 3]),
    headers,
    timestamp: 1_700_000_000_500,
  });

  it('identifies a dead letter by its source position and keeps only the original headers', () => {
    expect(collectDeadLetter(message({ ...headers(), trace: 'abc' }))).toStrictEqual({
      id: 'orders:2:1234',
      topic: 'orders',
      partition: 2,
      offset: 1234,
      key: 'k',
      value: Uint8Array.from([1, 2, 3]),
      headers: { trace: 'abc' },
      group: 'query-processor',
      reason: INFO.reason,
      failedAt: INFO.failedAt,
    });
  });

  it('bounds the reason and names an empty one', () => {
    const long = collectDeadLetter(message(headers({ [DEAD_LETTER_HEADERS.reason]: 'r'.repeat(10_000) })));
    expect(long.reason).toHaveLength(MAX_DEAD_LETTER_REASON);
    expect(long.reason.endsWith('…')).toBe(true);
    expect(collectDeadLetter(message(headers({ [DEAD_LETTER_HEADERS.reason]: '' }))).reason).toBe('no reason given');
  });

  it('keeps a message without dead-letter headers under its own position, so it is never lost', () => {
    expect(collectDeadLetter(message({ trace: 'x' }))).toMatchObject({
      id: 'orders:-1:17',
      topic: 'orders',
      partition: -1,
      offset: 17,
      group: 'unknown',
      reason: 'dead letter without its dlq.* headers',
      failedAt: 1_700_000_000_500,
      headers: { trace: 'x' },
    });
  });

  it('knows the three statuses', () => {
    expect(['pending', 'redriven', 'discarded'].every(isDeadLetterStatus)).toBe(true);
    expect(isDeadLetterStatus('lost')).toBe(false);
  });
});
