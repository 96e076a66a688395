import type { Decoded, StoredMessage } from '@kafka-monitor/domain';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A stored message's value read as `decode` reads it, or undefined when it is not UTF-8 or not what
 * `decode` accepts: the folds skip such a message as the processors dead-letter it.
 */
export function decodeMessage<T>(decode: (text: string) => Decoded<T>, message: StoredMessage): T | undefined {
  let text: string;
  try {
    text = utf8.decode(message.value);
  } catch {
    return undefined;
  }
  const decoded = decode(text);
  return decoded.ok ? decoded.value : undefined;
}
