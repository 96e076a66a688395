import { DEAD_LETTER_REASONS, deadLetterHeaders, deadLetterTopic } from '@kafka-monitor/domain';
import type { Consumed, Decoded, EventBus, MessageBatch, OutgoingMessage } from '@kafka-monitor/domain';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(value: Uint8Array): Decoded<string> {
  try {
    return { ok: true, value: utf8.decode(value) };
  } catch {
    return { ok: false, reason: DEAD_LETTER_REASONS.notUtf8 };
  }
}

export interface DecodeBatchOptions<T> {
  readonly bus: EventBus;
  readonly group: string;
  readonly decode: (text: string) => Decoded<T>;
  readonly now: number;
}

export interface DecodedBatch<T> {
  readonly entries: readonly Consumed<T>[];
  readonly poison: number;
}

/**
 * Decodes every message of a batch. A message that cannot be decoded is a poison message: it goes to
 * the topic's dead-letter topic with its original bytes and the reason, and stays in the entries as
 * null so the store counts it as an error at exactly its offset. The dead letters are durable before
 * this resolves, so the batch's offsets may be committed afterwards without losing them.
 */
export async function decodeBatch<T>(batch: MessageBatch, options: DecodeBatchOptions<T>): Promise<DecodedBatch<T>> {
  const deadLetters: OutgoingMessage[] = [];
  const entries = batch.messages.map((message): Consumed<T> => {
    const text = decodeText(message.value);
    const decoded = text.ok ? options.decode(text.value) : text;
    if (decoded.ok) return { offset: message.offset, content: decoded.value };
    deadLetters.push({
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        ...deadLetterHeaders({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          group: options.group,
          reason: decoded.reason,
          failedAt: options.now,
        }),
      },
    });
    return { offset: message.offset, content: null };
  });
  if (deadLetters.length > 0) await options.bus.publish(deadLetterTopic(batch.topic), deadLetters);
  return { entries, poison: deadLetters.length };
}
