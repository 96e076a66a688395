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
