import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingMessage, StoredMessage } from '@kafka-monitor/domain';
import { CliError } from '../errors.js';
import { plural, renderMessage } from '../format.js';
import { messageLine, parseMessageLine } from '../message-json.js';
import { partitionRanges, requireTopic, type CommandContext } from './context.js';

/** How long a follower waits before asking again when every partition was caught up. */
const FOLLOW_INTERVAL_MS = 200;
const READ_PAGE = 500;
const PUBLISH_BATCH = 500;

/** `text`: a header line and the value for people; `json`: one object per line for jq and `produce`. */
export type MessageFormat = 'text' | 'json';
export const MESSAGE_FORMATS: readonly MessageFormat[] = ['text', 'json'];

export interface ConsumeOptions {
  readonly fromBeginning: boolean;
  readonly format?: MessageFormat;
  /** Stop after this many messages (like kafka-console-consumer --max-messages). */
  readonly maxMessages?: number;
}

function printMessages(context: CommandContext, messages: readonly StoredMessage[], format = 'text'): void {
  if (format === 'json') context.out.lines(messages.map(messageLine));
  else for (const message of messages) context.out.lines(renderMessage(message));
}

/**
 * Prints messages as they arrive until Ctrl-C (or --max-messages). Reads partitions directly rather
 * than joining a consumer group: watching a topic must not commit offsets or leave a group behind.
 */
export async function consume(context: CommandContext, topic: string, options: ConsumeOptions): Promise<void> {
  const bus = await context.session.bus();
  const ranges = await partitionRanges(context, topic);
  const positions = ranges.map((p) => (options.fromBeginning ? p.earliest : p.end));
  const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const signal = context.terminal.interrupted;
  let seen = 0;
  context.out.note(`Consuming ${topic} from ${options.fromBeginning ? 'the beginning' : 'the end'}; Ctrl-C to stop.`);
  while (!signal.aborted && seen < limit) {
    let read = 0;
    for (const [partition, from] of positions.entries()) {
      if (signal.aborted || seen >= limit) break;
      const page = await bus.read(topic, partition, from, Math.min(READ_PAGE, limit - seen));
      const last = page.at(-1);
      if (last === undefined) continue;
      printMessages(context, page, options.format);
      positions[partition] = last.offset + 1;
      read += page.length;
      seen += page.length;
    }
    if (read === 0 && !signal.aborted && seen < limit) {
      await sleep(FOLLOW_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
    }
  }
  context.out.note(`Consumed ${plural(seen, 'message')}.`);
}

export interface PeekOptions {
  readonly fromBeginning?: boolean;
  readonly format?: MessageFormat;
}

/** The newest `n` messages of the topic (oldest `n` with --from-beginning), in time order. */
export async function peek(context: CommandContext, topic: string, n: number, options: PeekOptions): Promise<void> {
  const bus = await context.session.bus();
  const ranges = await partitionRanges(context, topic);
  const found: StoredMessage[] = [];
  for (const range of ranges) {
    const from = options.fromBeginning === true ? range.earliest : Math.max(range.earliest, range.end - n);
    found.push(...(await bus.read(topic, range.partition, from, n)));
  }
  found.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || a.offset - b.offset);
  const chosen = options.fromBeginning === true ? found.slice(0, n) : found.slice(-n);
  if (chosen.length === 0) {
    context.out.note(`${topic} is empty.`);
    return;
  }
  printMessages(context, chosen, options.format);
  context.out.note(`${plural(chosen.length, 'message')} of ${topic}.`);
}

export interface ProduceOptions {
  /** The same key for every message. */
  readonly key?: string;
  /** Take each message's key from this field of its JSON value (e.g. order-id). */
  readonly keyField?: string;
  /** `json`: each line is a message as `consume --format json` writes it (key, headers, timestamp, value). */
  readonly format?: MessageFormat;
}

function keyOf(line: string, lineNumber: number, options: ProduceOptions): string | null {
  if (options.keyField === undefined) return options.key ?? null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CliError(`line ${lineNumber} is not JSON, so --key-field ${options.keyField} cannot be read`);
  }
  const field =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[options.keyField] : undefined;
  if (typeof field !== 'string' && typeof field !== 'number') {
    throw new CliError(`line ${lineNumber} has no string or number field '${options.keyField}' to use as key`);
  }
  return String(field);
}

function messageOf(line: string, lineNumber: number, options: ProduceOptions): OutgoingMessage {
  if (options.format === 'json') return parseMessageLine(line, lineNumber);
  return { key: keyOf(line, lineNumber, options), value: line };
}

/** Publishes each non-empty line of standard input as one message, in batches, in line order. */
export async function produce(context: CommandContext, topic: string, options: ProduceOptions): Promise<void> {
  if (options.key !== undefined && options.keyField !== undefined) {
    throw new CliError('use either --key or --key-field, not both');
  }
  if (options.format === 'json' && (options.key !== undefined || options.keyField !== undefined)) {
    throw new CliError('--format json takes each key from its line; --key and --key-field are for --format text');
  }
  await requireTopic(context, topic);
  const bus = await context.session.bus();
  if (context.terminal.inputIsInteractive) {
    context.out.note(`Type messages for ${topic}, one per line; Ctrl-D to finish.`);
  }
  let produced = 0;
  let lineNumber = 0;
  let batch: OutgoingMessage[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await bus.publish(topic, batch);
    produced += batch.length;
    batch = [];
  };
  try {
    for await (const line of context.terminal.inputLines()) {
      lineNumber++;
      if (line.trim() === '') continue;
      batch.push(messageOf(line, lineNumber, options));
      // Typed lines go out at once; piped ones in batches.
      if (batch.length >= PUBLISH_BATCH || context.terminal.inputIsInteractive) await flush();
    }
    await flush();
  } finally {
    // Said even when a line was refused, so the operator knows what already reached the log.
    context.out.note(`Produced ${plural(produced, 'message')} to ${topic}.`);
  }
}
