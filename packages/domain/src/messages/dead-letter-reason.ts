import type { DeadLetterStatus } from './dead-letter.js';
import { TOPICS } from './topics.js';

/**
 * Why messages are dead-lettered, as a bounded set: a dead letter's reason is free text naming the
 * field at fault, fine for an operator but unbounded as a metric label. `reason_class` is one of these.
 */
export const DEAD_LETTER_REASON_CLASSES = [
  'not-utf8',
  'malformed-json',
  'invalid-order',
  'invalid-registry-message',
  'missing-headers',
  'other',
] as const;
export type DeadLetterReasonClass = (typeof DEAD_LETTER_REASON_CLASSES)[number];

/** The reasons the decoders give, shared here so the classifier matches what they write. */
export const DEAD_LETTER_REASONS = {
  notUtf8: 'not UTF-8 text',
  /** Followed by the JSON parser's message. */
  notJsonPrefix: 'not JSON: ',
  /** A message on a dead-letter topic that no processor wrote. */
  missingHeaders: 'dead letter without its dlq.* headers',
  /** A dead letter whose dlq.reason header is empty. */
  none: 'no reason given',
} as const;

/**
 * The class of a dead letter from its source topic and reason. Encoding problems are recognised by
 * their reason whatever the topic; any other reason the processors give is a shape the topic's
 * decoder refused, so the topic tells an invalid order from an invalid registry message.
 */
export function deadLetterReasonClass(topic: string, reason: string): DeadLetterReasonClass {
  if (reason === DEAD_LETTER_REASONS.notUtf8) return 'not-utf8';
  if (reason.startsWith(DEAD_LETTER_REASONS.notJsonPrefix)) return 'malformed-json';
  if (reason === DEAD_LETTER_REASONS.missingHeaders) return 'missing-headers';
  if (reason === DEAD_LETTER_REASONS.none) return 'other';
  if (topic === TOPICS.orders) return 'invalid-order';
  if (topic === TOPICS.registry) return 'invalid-registry-message';
  return 'other';
}

/** Dead letters of one source topic, reason and status (what a store counts). */
export interface DeadLetterReasonCount {
  readonly topic: string;
  readonly reason: string;
  readonly status: DeadLetterStatus;
  readonly count: number;
}

export interface DeadLetterClassCount {
  readonly topic: string;
  readonly reasonClass: DeadLetterReasonClass;
  readonly status: DeadLetterStatus;
  readonly count: number;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Folds counts per free-text reason into counts per reason class, ordered by topic, class and status. */
export function countByReasonClass(counts: readonly DeadLetterReasonCount[]): DeadLetterClassCount[] {
  const byKey = new Map<string, DeadLetterClassCount>();
  for (const { topic, reason, status, count } of counts) {
    const reasonClass = deadLetterReasonClass(topic, reason);
    const key = JSON.stringify([topic, reasonClass, status]);
    const known = byKey.get(key);
    byKey.set(key, { topic, reasonClass, status, count: (known?.count ?? 0) + count });
  }
  return [...byKey.values()].sort(
    (a, b) =>
      compareText(a.topic, b.topic) ||
      DEAD_LETTER_REASON_CLASSES.indexOf(a.reasonClass) - DEAD_LETTER_REASON_CLASSES.indexOf(b.reasonClass) ||
      compareText(a.status, b.status),
  );
}
