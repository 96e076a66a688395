import { GROUPS, TOPICS, BusAdminError } from '@kafka-monitor/domain';
import type { PartitionOffsets } from '@kafka-monitor/domain';
import type { Config } from '@kafka-monitor/runtime';
import type { Session } from '../session.js';
import type { Output, Terminal } from '../terminal.js';

/** What every command receives: its connections, its output, and the clock and randomness to use. */
export interface CommandContext {
  readonly config: Config;
  readonly session: Session;
  readonly terminal: Terminal;
  readonly out: Output;
  readonly now: () => number;
  readonly random: () => number;
  readonly newId: () => string;
}

/** `--json`: print the figures as one JSON document (for scripts and jq) instead of tables. */
export interface JsonOption {
  readonly json?: boolean;
}

/** Indented, as kafka tools and kcat print documents; jq reads it as one value. */
export function printJson(context: CommandContext, value: unknown): void {
  context.out.line(JSON.stringify(value, null, 2));
}

/**
 * The pipeline's groups and the topics they subscribe to: lag and resets of these groups cover
 * their topics even before they ever committed.
 */
export const PIPELINE_GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  [GROUPS.queryProcessor, [TOPICS.orders]],
  [GROUPS.registryProcessor, [TOPICS.orders, TOPICS.registry]],
]);

/** Earliest and end offset per partition; from the admin role when there is one, else from the bus alone. */
export async function partitionRanges(context: CommandContext, topic: string): Promise<readonly PartitionOffsets[]> {
  const admin = await context.session.optionalAdmin();
  if (admin !== undefined) return admin.topicOffsets(topic);
  const bus = await context.session.bus();
  const info = (await bus.listTopics()).find((t) => t.name === topic);
  if (info === undefined) throw new BusAdminError('UNKNOWN_TOPIC', `topic '${topic}' does not exist`);
  return info.endOffsets.map((end, partition) => ({ partition, earliest: 0, end }));
}

export const messagesIn = (ranges: readonly PartitionOffsets[]): number =>
  ranges.reduce((sum, p) => sum + (p.end - p.earliest), 0);

/** Refuses early, with the way out, when a command needs the pipeline's topics and they are missing. */
export async function requireTopic(context: CommandContext, topic: string): Promise<void> {
  const bus = await context.session.bus();
  if ((await bus.listTopics()).some((t) => t.name === topic)) return;
  const hint = (Object.values(TOPICS) as string[]).includes(topic) ? '; run `kafka-monitor setup` first' : '';
  throw new BusAdminError('UNKNOWN_TOPIC', `topic '${topic}' does not exist${hint}`);
}
