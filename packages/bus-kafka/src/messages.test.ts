import { describe, expect, it } from 'vitest';
import { toKafkaMessage, toStoredMessage } from './messages.js';

describe('toStoredMessage', () => {
  it('Given a kafkajs record, then offsets and timestamps become numbers and bytes stay exact', () => {
    const backing = Buffer.from([9, 9, 0xff, 0x00, 0x7b, 9]);
    const stored = toStoredMessage('orders', 2, {
      offset: '41',
      timestamp: '1700000000000',
      key: Buffer.from('order-ü', 'utf8'),
      value: backing.subarray(2, 5),
      headers: { single: Buffer.from('a'), repeated: [Buffer.from('x'), Buffer.from('y')], text: 'plain' },
    });
    expect(stored).toMatchObject({
      topic: 'orders',
      partition: 2,
      offset: 41,
      key: 'order-ü',
      timestamp: 1700000000000,
    });
    expect([...stored.value]).toEqual([0xff, 0x00, 0x7b]);
    expect(stored.headers).toEqual({ single: 'a', repeated: 'y', text: 'plain' });
  });

  it('Given a tombstone without key or headers, then the key is null and the value empty', () => {
    const stored = toStoredMessage('t', 0, { offset: '0', timestamp: '5', key: null, value: null });
    expect(stored.key).toBeNull();
    expect(stored.value).toHaveLength(0);
    expect(stored.headers).toEqual({});
  });

  it('Given a header that repeats with no value, then it is left out', () => {
    const stored = toStoredMessage('t', 0, { offset: '0', timestamp: '5', key: null, value: null, headers: { h: [] } });
    expect(stored.headers).toEqual({});
  });
});

describe('toKafkaMessage', () => {
  it('Given bytes that are a view into a larger buffer, then only the view is sent', () => {
    const backing = new Uint8Array([1, 2, 3, 4]);
    const message = toKafkaMessage({ key: 'k', value: backing.subarray(1, 3) }, 1);
    expect([...(message.value as Buffer)]).toEqual([2, 3]);
    expect(message).toMatchObject({ key: 'k', partition: 1 });
    expect(message).not.toHaveProperty('headers');
    expect(message).not.toHaveProperty('timestamp');
  });

  it('Given text, headers and a timestamp, then they are passed in the forms kafkajs takes', () => {
    const message = toKafkaMessage({ key: null, value: 'body', headers: { h: 'v' }, timestamp: 1234 }, 0);
    expect(message).toEqual({ key: null, value: 'body', partition: 0, headers: { h: 'v' }, timestamp: '1234' });
  });
});
