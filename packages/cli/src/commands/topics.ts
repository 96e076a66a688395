import { CliError } from '../errors.js';
import { pipelineTopics } from '@kafka-monitor/runtime';
import { count, plural, table } from '../format.js';
import { messagesIn, partitionRanges, printJson, type CommandContext, type JsonOption } from './context.js';

/** Creates the pipeline's missing topics and says which were created and which already existed. */
export async function createTopics(context: CommandContext): Promise<void> {
  const bus = await context.session.bus();
  const wanted = pipelineTopics(context.config.partitions);
  const before = new Set((await bus.listTopics()).map((t) => t.name));
  await bus.ensureTopics(wanted);
  for (const spec of wanted) {
    const state = before.has(spec.name) ? 'already present' : 'created';
    context.out.line(`${spec.name.padEnd(14)} ${state} (${plural(spec.partitions, 'partition')} when created)`);
  }
  context.out.line(`Topics ready on ${await context.session.busTarget()}.`);
}

/** Applies the store's pending schema migrations; safe to repeat. */
export async function migrate(context: CommandContext): Promise<void> {
  const store = await context.session.store();
  await store.migrate();
  context.out.line(`Store schema is up to date (${await context.session.storeTarget()}).`);
}

/** Everything a fresh deployment needs before the services start: topics, then the store schema. */
export async function setup(context: CommandContext): Promise<void> {
  await createTopics(context);
  await migrate(context);
}

export async function listTopics(context: CommandContext, options: JsonOption = {}): Promise<void> {
  const bus = await context.session.bus();
  const topics = await bus.listTopics();
  const rows: { topic: string; partitions: number; messages: number }[] = [];
  for (const topic of topics) {
    const messages = messagesIn(await partitionRanges(context, topic.name));
    rows.push({ topic: topic.name, partitions: topic.partitions, messages });
  }
  if (options.json === true) return printJson(context, rows);
  if (topics.length === 0) {
    context.out.line('No topics. Run `kafka-monitor setup` to create the pipeline topics.');
    return;
  }
  context.out.lines(
    table(
      ['topic', 'partitions', 'messages'],
      rows.map((r) => [r.topic, r.partitions, r.messages]),
    ),
  );
}

/** The groups with committed offsets on a topic, with their members and lag on it; [] without an admin role. */
async function readersOf(
  context: CommandContext,
  topic: string,
): Promise<{ group: string; members: number; lag: number }[]> {
  const admin = await context.session.optionalAdmin();
  if (admin === undefined) return [];
  const bus = await context.session.bus();
  const readers: { group: string; members: number; lag: number }[] = [];
  for (const group of await admin.listGroups()) {
    const described = await bus.describeGroup(group);
    const lag = described.lag.filter((p) => p.topic === topic);
    if (lag.length === 0) continue;
    readers.push({ group, members: described.members.length, lag: lag.reduce((sum, p) => sum + p.lag, 0) });
  }
  return readers;
}

export async function describeTopic(context: CommandContext, topic: string, options: JsonOption = {}): Promise<void> {
  const ranges = await partitionRanges(context, topic);
  if (options.json === true) {
    return printJson(context, {
      topic,
      messages: messagesIn(ranges),
      partitions: ranges.map((p) => ({ ...p, messages: p.end - p.earliest })),
      groups: await readersOf(context, topic),
    });
  }
  context.out.line(`Topic ${topic}: ${plural(ranges.length, 'partition')}, ${plural(messagesIn(ranges), 'message')}`);
  context.out.lines(
    table(
      ['partition', 'earliest offset', 'end offset', 'messages'],
      ranges.map((p) => [p.partition, p.earliest, p.end, p.end - p.earliest]),
    ),
  );
  // Who reads it, and how far behind: the question that usually follows.
  if ((await context.session.optionalAdmin()) === undefined) return;
  const readers = await readersOf(context, topic);
  context.out.line();
  if (readers.length === 0) context.out.line('No consumer group has committed offsets on it.');
  else
    context.out.lines(
      table(
        ['group', 'members', 'lag'],
        readers.map((r) => [r.group, count(r.members), count(r.lag)]),
      ),
    );
}

export async function deleteTopic(context: CommandContext, topic: string): Promise<void> {
  const admin = await context.session.admin('delete-topic');
  await admin.deleteTopic(topic);
  context.out.line(`Deleted topic '${topic}' with its messages and the groups' offsets on it.`);
}

export async function topicConfig(context: CommandContext, topic: string, options: JsonOption = {}): Promise<void> {
  const admin = await context.session.admin('topic-config');
  const entries = await admin.topicConfig(topic);
  if (options.json === true) return printJson(context, { topic, config: entries });
  context.out.line(`Configuration of topic ${topic}:`);
  context.out.lines(
    table(
      ['name', 'value', 'source'],
      entries.map((e) => [e.name, e.value ?? '(hidden)', e.isDefault ? 'default' : 'set']),
    ),
  );
}

export interface AlterConfigOptions {
  readonly addConfig?: string;
  readonly deleteConfig?: string;
}

/** kafka-configs --alter: `name=value,…` to set, `name,…` to put back to the default. */
export async function alterTopicConfig(
  context: CommandContext,
  topic: string,
  options: AlterConfigOptions,
): Promise<void> {
  const changes: Record<string, string | null> = {};
  for (const pair of (options.addConfig ?? '').split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--add-config takes name=value pairs separated by commas; got '${pair}'`);
    changes[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  for (const name of (options.deleteConfig ?? '').split(',').filter((n) => n.trim() !== ''))
    changes[name.trim()] = null;
  if (Object.keys(changes).length === 0) throw new CliError('give --add-config name=value or --delete-config name');
  const admin = await context.session.admin('alter-topic-config');
  await admin.alterTopicConfig(topic, changes);
  context.out.line(`Completed updating config for topic ${topic}.`);
}

export async function countMessages(context: CommandContext, topic: string, options: JsonOption = {}): Promise<void> {
  const ranges = await partitionRanges(context, topic);
  if (options.json === true)
    return printJson(context, { topic, partitions: ranges.length, messages: messagesIn(ranges) });
  context.out.line(`${topic}: ${plural(messagesIn(ranges), 'message')} in ${plural(ranges.length, 'partition')}`);
}
