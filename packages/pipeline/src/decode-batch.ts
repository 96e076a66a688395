import { DEAD_LETTER_REASONS, deadLetterHeaders, deadLetterTopic, noMessageTracing } from '@kafka-monitor/domain';
import type {
  Consumed,
  Decoded,
  EventBus,
  MessageBatch,
  MessageSpan,
  MessageTracing,
  OutgoingMessage,
} from '@kafka-monitor/domain';
import { endSpans, publishTraced, type SendTrace } from './publish-traced.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(value: Uint8Array): Decoded<string> {
  try {
    return { ok: true, value: utf8.decode(value) };
  } catch {
    return { ok: false, reason: DEAD_LETTER_REASONS.notUtf8 };
  }
}

/** How a poison message's process span ends: it was not processed but dead-lettered. */
export class PoisonMessageError extends Error {
  readonly code = 'POISON_MESSAGE';
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

export interface DecodeBatchOptions<T> {
  readonly bus: EventBus;
  readonly group: string;
  readonly decode: (text: string) => Decoded<T>;
  readonly now: number;
  /** Starts a process span per message; absent or off, `spans` is empty. */
  readonly tracing?: MessageTracing;
}

export interface DecodedBatch<T> {
  readonly entries: readonly Consumed<T>[];
  readonly poison: number;
  /**
   * The process span of each message, in batch order (empty when tracing is off). A poison message's
   * span has ended already; the caller ends the others once the batch's effect is durable (`withSpans`).
   */
  readonly spans: readonly MessageSpan[];
}

/**
 * Decodes every message of a batch. A message that cannot be decoded is a poison message: it goes to
 * the topic's dead-letter topic with its original bytes and the reason, and stays in the entries as
 * null so the store counts it as an error at exactly its offset. The dead letters are durable before
 * this resolves, so the batch's offsets may be committed afterwards without losing them. A dead letter
 * is sent in its message's trace, as a child of the span that processed it.
 */
export async function decodeBatch<T>(batch: MessageBatch, options: DecodeBatchOptions<T>): Promise<DecodedBatch<T>> {
  const tracing = options.tracing;
  const spans = tracing?.enabled === true ? batch.messages.map((m) => tracing.startProcess(options.group, m)) : [];
  const deadLetters: OutgoingMessage[] = [];
  const deadLetterTraces: SendTrace[] = [];
  const poisoned: { span: MessageSpan; reason: string }[] = [];
  const entries = batch.messages.map((message, i): Consumed<T> => {
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
    const span = spans[i];
    if (span !== undefined) {
      deadLetterTraces.push({ parent: span.headers });
      poisoned.push({ span, reason: decoded.reason });
    }
    return { offset: message.offset, content: null };
  });
  if (deadLetters.length > 0) {
    try {
      await publishTraced(
        options.bus,
        tracing ?? noMessageTracing,
        deadLetterTopic(batch.topic),
        deadLetters,
        deadLetterTraces,
      );
    } catch (error) {
      endSpans(spans, error);
      throw error;
    }
    for (const { span, reason } of poisoned) span.end(new PoisonMessageError(reason));
  }
  return { entries, poison: deadLetters.length, spans };
}
