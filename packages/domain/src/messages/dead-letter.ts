import { DEAD_LETTER_REASONS } from './dead-letter-reason.js';

/**
 * A dead-lettered message keeps the original bytes as its value and says where it came from and why in
 * headers, the convention Kafka Connect uses, so any Kafka tool can inspect and replay it.
 */
export const DEAD_LETTER_HEADERS = {
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  group: 'dlq.consumer.group',
  reason: 'dlq.reason',
  failedAt: 'dlq.failed.at',
} as const;

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly group: string;
}

export interface DeadLetterInfo extends DeadLetterSource {
  readonly reason: string;
  readonly failedAt: number;
}

export function deadLetterHeaders(info: DeadLetterInfo): Record<string, string> {
  return {
    [DEAD_LETTER_HEADERS.sourceTopic]: info.topic,
    [DEAD_LETTER_HEADERS.sourcePartition]: String(info.partition),
    [DEAD_LETTER_HEADERS.sourceOffset]: String(info.offset),
    [DEAD_LETTER_HEADERS.group]: info.group,
    [DEAD_LETTER_HEADERS.reason]: info.reason,
    [DEAD_LETTER_HEADERS.failedAt]: String(info.failedAt),
  };
}

/** A plain decimal as `String(number)` writes it; NaN otherwise (Number('') would be 0, Number('0x1f') 31). */
function parseDecimal(text: string | undefined): number {
  return text !== undefined && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
}

/** Reads the headers back; undefined when a message lacks them (it was not written by a processor). */
export function readDeadLetterHeaders(headers: Readonly<Record<string, string>>): DeadLetterInfo | undefined {
  const topic = headers[DEAD_LETTER_HEADERS.sourceTopic];
  const group = headers[DEAD_LETTER_HEADERS.group];
  const reason = headers[DEAD_LETTER_HEADERS.reason];
  const partition = parseDecimal(headers[DEAD_LETTER_HEADERS.sourcePartition]);
  const offset = parseDecimal(headers[DEAD_LETTER_HEADERS.sourceOffset]);
  const failedAt = parseDecimal(headers[DEAD_LETTER_HEADERS.failedAt]);
  if (topic === undefined || group === undefined || reason === undefined) return undefined;
  if (!Number.isInteger(partition) || !Number.isInteger(offset) || !Number.isFinite(failedAt)) return undefined;
  return { topic, partition, offset, group, reason, failedAt };
}

/** What happened to a dead letter: waiting for an operator, sent back to its topic, or dropped. */
export type DeadLetterStatus = 'pending' | 'redriven' | 'discarded';
export const DEAD_LETTER_STATUSES: readonly DeadLetterStatus[] = ['pending', 'redriven', 'discarded'];

export function isDeadLetterStatus(value: string): value is DeadLetterStatus {
  return (DEAD_LETTER_STATUSES as readonly string[]).includes(value);
}

/** A dead letter as collected from a dead-letter topic, before any operator acted on it. */
export interface CollectedDeadLetter {
  /** The source position, which every group that dead-lettered the message agrees on. */
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Uint8Array;
  /** The original message's own headers, without the dead-letter ones. */
  readonly headers: Readonly<Record<string, string>>;
  readonly group: string;
  readonly reason: string;
  readonly failedAt: number;
}

/** Reasons are grouped on and indexed, so they are kept to a bounded length. */
export const MAX_DEAD_LETTER_REASON = 500;
const DEAD_LETTER_SUFFIX = '.dlq';
const UNKNOWN_GROUP = 'unknown';

export function deadLetterId(source: { topic: string; partition: number; offset: number }): string {
  return `${source.topic}:${source.partition}:${source.offset}`;
}

/**
 * The source topic named by a dead letter's id, for a store that indexes ids without the topic; undefined
 * for an id `deadLetterId` did not make. Topic names hold no ':' (Kafka allows letters, digits, '.', '_'
 * and '-'), so the topic is everything before the last two fields.
 */
export function topicOfDeadLetterId(id: string): string | undefined {
  return /^(.+):-?\d+:\d+$/.exec(id)?.[1];
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A message read from `<topic>.dlq` as a dead letter. One without the dead-letter headers (written by
 * some other tool) is still kept, under its position in the dead-letter topic and partition -1, so it
 * is visible and can be discarded, never silently lost.
 */
export function collectDeadLetter(message: {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}): CollectedDeadLetter {
  const own: Record<string, string> = {};
  const deadLetterNames = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
  for (const [name, value] of Object.entries(message.headers)) {
    if (!deadLetterNames.has(name)) own[name] = value;
  }
  const info = readDeadLetterHeaders(message.headers);
  if (info === undefined) {
    const topic = message.topic.endsWith(DEAD_LETTER_SUFFIX)
      ? message.topic.slice(0, -DEAD_LETTER_SUFFIX.length)
      : message.topic;
    const source = { topic, partition: -1, offset: message.offset };
    return {
      id: deadLetterId(source),
      ...source,
      key: message.key,
      value: message.value,
      headers: own,
      group: UNKNOWN_GROUP,
      reason: DEAD_LETTER_REASONS.missingHeaders,
      failedAt: message.timestamp,
    };
  }
  return {
    id: deadLetterId(info),
    topic: info.topic,
    partition: info.partition,
    offset: info.offset,
    key: message.key,
    value: message.value,
    headers: own,
    group: info.group,
    reason: truncate(info.reason === '' ? DEAD_LETTER_REASONS.none : info.reason, MAX_DEAD_LETTER_REASON),
    failedAt: info.failedAt,
  };
}
