import type { GroupDescription, OffsetResetTarget, PartitionLag } from '@kafka-monitor/domain';
import { CliError } from '../errors.js';
import { age, count, plural, table } from '../format.js';
import { PIPELINE_GROUPS, printJson, type CommandContext, type JsonOption } from './context.js';

const totalLag = (lag: readonly PartitionLag[]): number => lag.reduce((sum, p) => sum + p.lag, 0);

async function describe(context: CommandContext, group: string): Promise<GroupDescription> {
  const bus = await context.session.bus();
  return bus.describeGroup(group, PIPELINE_GROUPS.get(group) ?? []);
}

/** The pipeline's groups first (they matter even before they commit), then any other group the bus knows. */
async function allGroups(context: CommandContext): Promise<string[]> {
  const admin = await context.session.optionalAdmin();
  const known = admin === undefined ? [] : await admin.listGroups();
  return [...new Set([...PIPELINE_GROUPS.keys(), ...known])];
}

function lagTable(context: CommandContext, lag: readonly PartitionLag[]): string[] {
  const now = context.now();
  return table(
    ['topic', 'partition', 'committed', 'end', 'lag', 'oldest unread'],
    lag.map((p) => [p.topic, p.partition, p.committedOffset, p.endOffset, p.lag, age(p.oldestUnreadTimestamp, now)]),
  );
}

export async function listGroups(context: CommandContext, options: JsonOption = {}): Promise<void> {
  const admin = await context.session.admin('list-groups');
  const groups = await admin.listGroups();
  const rows: { group: string; members: number; lag: number }[] = [];
  for (const group of groups) {
    const described = await describe(context, group);
    rows.push({ group, members: described.members.length, lag: totalLag(described.lag) });
  }
  if (options.json === true) return printJson(context, rows);
  if (groups.length === 0) {
    context.out.line('No consumer groups.');
    return;
  }
  context.out.lines(
    table(
      ['group', 'members', 'lag'],
      rows.map((r) => [r.group, r.members, r.lag]),
    ),
  );
}

export async function describeGroup(context: CommandContext, group: string, options: JsonOption = {}): Promise<void> {
  const described = await describe(context, group);
  if (described.members.length === 0 && described.lag.length === 0) {
    throw new CliError(`group '${group}' does not exist (no live members, no committed offsets)`);
  }
  if (options.json === true) {
    return printJson(context, {
      group,
      state: described.members.length === 0 ? 'empty' : 'live',
      lag: totalLag(described.lag),
      members: described.members.map((m) => ({
        memberId: m.memberId,
        assignments: m.assignments.map((a) => ({ topic: a.topic, partition: a.partition })),
      })),
      partitions: described.lag,
    });
  }
  const state = described.members.length === 0 ? 'empty' : `${plural(described.members.length, 'live member')}`;
  context.out.line(`Group ${group}: ${state}, lag ${count(totalLag(described.lag))}`);
  for (const member of described.members) {
    const assigned = member.assignments.map((a) => `${a.topic}[${a.partition}]`).join(', ');
    context.out.line(`  member ${member.memberId}: ${assigned === '' ? 'no partitions' : assigned}`);
  }
  context.out.lines(lagTable(context, described.lag));
}

export async function deleteGroup(context: CommandContext, group: string): Promise<void> {
  const admin = await context.session.admin('delete-group');
  await admin.deleteGroup(group);
  context.out.line(`Deleted group '${group}' and its committed offsets.`);
}

export type ShowLagOptions = JsonOption;

/** Lag of every group, per partition, with the age of the oldest unread message. */
export async function showLag(context: CommandContext, options: ShowLagOptions): Promise<void> {
  const described: GroupDescription[] = [];
  for (const group of await allGroups(context)) described.push(await describe(context, group));
  if (options.json === true) {
    const report = described.map((d) => ({
      group: d.group,
      members: d.members.length,
      lag: totalLag(d.lag),
      partitions: d.lag,
    }));
    printJson(context, report);
    return;
  }
  for (const group of described) {
    context.out.line(
      `${group.group}: lag ${count(totalLag(group.lag))}, ${plural(group.members.length, 'live member')}`,
    );
    if (group.lag.length > 0) context.out.lines(lagTable(context, group.lag).map((line) => `  ${line}`));
    else context.out.line('  (no topics yet)');
  }
}

/**
 * What the operator asked for: a target of the bus, or a duration back from now, which becomes a
 * time when the command runs (as kafka-consumer-groups --by-duration reads the clock when it runs).
 */
export type ResetRequest =
  OffsetResetTarget | { readonly to: 'duration'; readonly duration: string; readonly milliseconds: number };

/** The request as the bus takes it, and as the plan reports it (a duration with the time it became). */
function resolve(
  request: ResetRequest,
  now: number,
): { target: OffsetResetTarget; reported: ResetRequest & { readonly timestamp?: number } } {
  if (request.to !== 'duration') return { target: request, reported: request };
  const timestamp = now - request.milliseconds;
  return { target: { to: 'timestamp', timestamp }, reported: { ...request, timestamp } };
}

const describeTarget = (request: ResetRequest, target: OffsetResetTarget): string => {
  switch (request.to) {
    case 'duration':
      return `${describeTarget(target, target)}, ${request.duration} before now`;
    case 'timestamp':
      return `the first message at or after ${new Date(request.timestamp).toISOString()}`;
    case 'offset':
      return `offset ${count(request.offset)} (kept within each partition's range)`;
    case 'shift':
      return `the committed offset ${request.by < 0 ? 'minus' : 'plus'} ${count(Math.abs(request.by))} (kept within each partition's range)`;
    case 'earliest':
    case 'latest':
      return request.to;
  }
};

export interface ResetOptions {
  readonly topic?: readonly string[];
  /** Without it the command prints the plan and changes nothing, as kafka-consumer-groups --dry-run. */
  readonly execute?: boolean;
  readonly json?: boolean;
}

/**
 * Moves a stopped group's offsets, or (without --execute) shows where they would move. Without
 * --topic, a pipeline group is reset on the topics it subscribes to and any other group on the topics
 * it committed on. The adapter runs the same checks either way, so a plan that prints would execute.
 */
export async function resetGroup(
  context: CommandContext,
  group: string,
  request: ResetRequest,
  options: ResetOptions,
): Promise<void> {
  const { target, reported } = resolve(request, context.now());
  const admin = await context.session.admin('resetting offsets');
  const topics = options.topic ?? PIPELINE_GROUPS.get(group);
  const execute = options.execute === true;
  const before = (await (await context.session.bus()).describeGroup(group, topics ?? [])).lag;
  const positions = await admin.resetGroupOffsets(group, target, topics, { dryRun: !execute });
  const current = (topic: string, partition: number): number | null =>
    before.find((p) => p.topic === topic && p.partition === partition)?.committedOffset ?? null;
  const rows = positions.map((p) => ({
    topic: p.topic,
    partition: p.partition,
    currentOffset: current(p.topic, p.partition),
    newOffset: p.offset,
  }));
  if (options.json === true) {
    printJson(context, { group, target: reported, executed: execute, partitions: rows });
    return;
  }
  context.out.line(
    execute
      ? `Reset group '${group}' to ${describeTarget(request, target)}:`
      : `Plan: reset group '${group}' to ${describeTarget(request, target)} (dry run, nothing changed; add --execute to apply):`,
  );
  context.out.lines(
    table(
      ['topic', 'partition', 'current offset', 'new offset'],
      rows.map((r) => [r.topic, r.partition, r.currentOffset ?? '-', r.newOffset]),
    ),
  );
}
