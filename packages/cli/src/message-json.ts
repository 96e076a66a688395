import type { OutgoingMessage, StoredMessage } from '@kafka-monitor/domain';
import { CliError } from './errors.js';

/**
 * One message as one line of JSON, what `consume` and `peek --format json` write and `produce
 * --format json` reads, so a topic can be copied or replayed through a file and inspected with jq.
 *
 * `value` keeps the exact bytes: a JSON object, array, number, boolean or null when the text is
 * compact JSON that prints back identically (what the pipeline writes), else the text as a string,
 * else (bytes that are not UTF-8) base64 with `"encoding":"base64"`.
 */
export interface MessageLine {
  readonly key: string | null;
  readonly partition: number;
  readonly offset: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: unknown;
  readonly encoding?: 'base64';
}

// ignoreBOM: a leading byte-order mark is part of the bytes and must survive the round trip.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function valueOf(bytes: Uint8Array): Pick<MessageLine, 'value' | 'encoding'> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { value: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    // A JSON string stays text: as a value it would read back without its quotes.
    if (typeof parsed !== 'string' && JSON.stringify(parsed) === text) return { value: parsed };
  } catch {
    // Not JSON: the text itself.
  }
  return { value: text };
}

export function messageLine(message: StoredMessage): string {
  const line: MessageLine = {
    key: message.key,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    headers: message.headers,
    ...valueOf(message.value),
  };
  return JSON.stringify(line);
}

const FIELDS = new Set(['key', 'partition', 'offset', 'timestamp', 'headers', 'value', 'encoding']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The message a line describes, to publish again. Partition and offset say where it was read; the bus
 * places it again by its key (the same partition on a topic with as many partitions).
 */
export function parseMessageLine(line: string, lineNumber: number): OutgoingMessage {
  const refuse = (why: string): never => {
    throw new CliError(`line ${lineNumber}: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return refuse('is not JSON (--format json reads one object per line, as consume --format json writes)');
  }
  if (!isRecord(parsed)) return refuse('is not a JSON object');
  const unknown = Object.keys(parsed).filter((name) => !FIELDS.has(name));
  if (unknown.length > 0) return refuse(`has unknown field(s) ${unknown.join(', ')}`);
  const { key = null, headers = {}, timestamp, value, encoding } = parsed;
  if (!('value' in parsed)) return refuse('has no value');
  if (key !== null && typeof key !== 'string') return refuse('key must be a string or null');
  if (!isRecord(headers) || !Object.values(headers).every((h) => typeof h === 'string')) {
    return refuse('headers must be an object of strings');
  }
  if (timestamp !== undefined && (!Number.isSafeInteger(timestamp) || (timestamp as number) < 0)) {
    return refuse('timestamp must be epoch milliseconds');
  }
  let bytes: Uint8Array | string;
  if (encoding === 'base64') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      return refuse('value must be base64 text with "encoding":"base64"');
    }
    bytes = new Uint8Array(Buffer.from(value, 'base64'));
  } else if (encoding !== undefined) {
    return refuse('encoding must be "base64" when given');
  } else {
    bytes = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return {
    key,
    value: bytes,
    headers: headers as Record<string, string>,
    ...(timestamp === undefined ? {} : { timestamp: timestamp as number }),
  };
}
