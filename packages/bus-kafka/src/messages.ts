import type { OutgoingMessage, StoredMessage } from '@kafka-monitor/domain';
import type { IHeaders, Message } from 'kafkajs';

/** The fields of a record as kafkajs decodes it, both in consumer batches and in raw fetch responses. */
export interface RawRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

function headerText(value: IHeaders[string]): string | undefined {
  // Kafka allows a header name more than once; the port has one value per name, so the last one wins.
  const last = Array.isArray(value) ? value.at(-1) : value;
  if (last === undefined) return undefined;
  return Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
}

export function toStoredMessage(topic: string, partition: number, record: RawRecord): StoredMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined) headers[name] = text;
  }
  return {
    topic,
    partition,
    offset: Number(record.offset),
    key: record.key === null ? null : record.key.toString('utf8'),
    // A tombstone (null value) has no bytes; consumers see an empty value and dead-letter it as poison.
    value:
      record.value === null
        ? new Uint8Array(0)
        : new Uint8Array(record.value.buffer, record.value.byteOffset, record.value.byteLength),
    headers,
    timestamp: Number(record.timestamp),
  };
}

export function toKafkaMessage(message: OutgoingMessage, partition: number): Message {
  const value =
    typeof message.value === 'string'
      ? message.value
      : Buffer.from(message.value.buffer, message.value.byteOffset, message.value.byteLength);
  return {
    key: message.key,
    value,
    partition,
    ...(message.headers === undefined ? {} : { headers: { ...message.headers } }),
    ...(message.timestamp === undefined ? {} : { timestamp: String(message.timestamp) }),
  };
}
