import { describe, expect, it } from 'vitest';
import { decodeOrder } from '../orders/order-codec.js';
import { collectDeadLetter, deadLetterId, topicOfDeadLetterId } from './dead-letter.js';
import {
  DEAD_LETTER_REASON_CLASSES,
  countByReasonClass,
  deadLetterReasonClass,
  type DeadLetterReasonCount,
} from './dead-letter-reason.js';
import { decodeRegistryMessage } from './registry-message.js';

/** The reason a decoder gives for `text`; the test fails if the decoder accepts it. */
function refused(decode: (text: string) => { ok: boolean; reason?: string }, text: string): string {
  const decoded = decode(text);
  if (decoded.ok || decoded.reason === undefined) throw new Error(`accepted: ${text}`);
  return decoded.reason;
}

describe('deadLetterReasonClass', () => {
  it('classes what the decoders of each topic refuse', () => {
    expect(deadLetterReasonClass('orders', refused(decodeOrder, '{"order-id": '))).toBe('malformed-json');
    expect(deadLetterReasonClass('registry', refused(decodeRegistryMessage, 'nope'))).toBe('malformed-json');
    expect(deadLetterReasonClass('orders', refused(decodeOrder, '{"order-id": "x"}'))).toBe('invalid-order');
    expect(deadLetterReasonClass('orders', refused(decodeOrder, 'null'))).toBe('invalid-order');
    expect(deadLetterReasonClass('registry', refused(decodeRegistryMessage, '{"type": "x"}'))).toBe(
      'invalid-registry-message',
    );
    expect(deadLetterReasonClass('registry', refused(decodeRegistryMessage, '{"order": {}}'))).toBe(
      'invalid-registry-message',
    );
  });

  it('classes encoding problems by their reason, whatever the topic', () => {
    for (const topic of ['orders', 'registry', 'elsewhere']) {
      expect(deadLetterReasonClass(topic, 'not UTF-8 text')).toBe('not-utf8');
      expect(deadLetterReasonClass(topic, 'not JSON: Unexpected end of JSON input')).toBe('malformed-json');
    }
  });

  it('classes dead letters no processor wrote apart', () => {
    const foreign = collectDeadLetter({
      topic: 'orders.dlq',
      partition: 0,
      offset: 3,
      key: null,
      value: new Uint8Array([1]),
      headers: {},
      timestamp: 1,
    });
    expect(deadLetterReasonClass(foreign.topic, foreign.reason)).toBe('missing-headers');
    const unexplained = collectDeadLetter({
      topic: 'orders.dlq',
      partition: 0,
      offset: 4,
      key: null,
      value: new Uint8Array([1]),
      headers: {
        'dlq.source.topic': 'orders',
        'dlq.source.partition': '1',
        'dlq.source.offset': '9',
        'dlq.consumer.group': 'g',
        'dlq.reason': '',
        'dlq.failed.at': '5',
      },
      timestamp: 1,
    });
    expect(deadLetterReasonClass(unexplained.topic, unexplained.reason)).toBe('other');
    expect(deadLetterReasonClass('payments', "'amount' must be a number")).toBe('other');
  });

  it('always answers one of the documented classes', () => {
    const reasons = ['', ' ', 'not JSON', 'NOT UTF-8 TEXT', 'x'.repeat(500), 'order: bad'];
    for (const topic of ['orders', 'registry', '', 'orders.dlq']) {
      for (const reason of reasons) {
        expect(DEAD_LETTER_REASON_CLASSES).toContain(deadLetterReasonClass(topic, reason));
      }
    }
  });
});

describe('countByReasonClass', () => {
  it('adds the counts of the reasons of one class, per topic and status', () => {
    const counts: DeadLetterReasonCount[] = [
      { topic: 'orders', reason: "'quantity' must be an integer", status: 'pending', count: 3 },
      { topic: 'orders', reason: "'total' must be a number", status: 'pending', count: 2 },
      { topic: 'orders', reason: "'total' must be a number", status: 'discarded', count: 1 },
      { topic: 'orders', reason: 'not JSON: Unexpected token', status: 'pending', count: 4 },
      { topic: 'orders', reason: 'not JSON: Unexpected end', status: 'pending', count: 1 },
      { topic: 'registry', reason: "'new-status' must be 'accepted' or 'denied'", status: 'redriven', count: 7 },
    ];
    expect(countByReasonClass(counts)).toEqual([
      { topic: 'orders', reasonClass: 'malformed-json', status: 'pending', count: 5 },
      { topic: 'orders', reasonClass: 'invalid-order', status: 'discarded', count: 1 },
      { topic: 'orders', reasonClass: 'invalid-order', status: 'pending', count: 5 },
      { topic: 'registry', reasonClass: 'invalid-registry-message', status: 'redriven', count: 7 },
    ]);
    expect(countByReasonClass([])).toEqual([]);
  });
});

describe('topicOfDeadLetterId', () => {
  it('reads back the topic deadLetterId wrote', () => {
    for (const topic of ['orders', 'registry', 'run-1.orders', 'a_b.c-d']) {
      for (const [partition, offset] of [
        [0, 0],
        [-1, 17],
        [11, 9_007_199_254_740_991],
      ] as const) {
        expect(topicOfDeadLetterId(deadLetterId({ topic, partition, offset }))).toBe(topic);
      }
    }
  });

  it('is undefined for an id deadLetterId did not make', () => {
    for (const id of ['', 'orders', 'orders:1', ':1:2', 'orders:x:2', 'orders:1:2:']) {
      expect(topicOfDeadLetterId(id)).toBeUndefined();
    }
  });
});
