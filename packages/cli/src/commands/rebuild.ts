import { hostname } from 'node:os';
import { TOPICS } from '@kafka-monitor/domain';
import { planRebuild, runRebuild, type RebuildPlan, type RebuildProgress } from '@kafka-monitor/pipeline';
import { formatSeconds } from '../errors.js';
import { phaseProgressBar } from '../phase-progress.js';
import { count, table } from '../format.js';
import { printJson, requireTopic, type CommandContext, type JsonOption } from './context.js';

export interface RebuildOptions extends JsonOption {
  /** Print the plan only. */
  readonly dryRun?: boolean;
}

const PHASES: Record<RebuildProgress['phase'], string> = {
  replaying: 'replaying orders',
  'catching-up': 'catching up with the log',
  switching: 'switching',
  dropping: 'dropping the old tables',
  done: 'done',
};

function printPlan(context: CommandContext, plan: RebuildPlan): void {
  context.out.line(
    plan.resumes
      ? `Resume: generation ${plan.toGeneration} already takes the live writes; it catches up, then answers reads.`
      : `Plan: rebuild the views from ${TOPICS.orders} into generation ${plan.toGeneration}; generation ${plan.fromGeneration} answers until the switch.`,
  );
  context.out.lines(
    table(
      ['topic', 'partition', 'from offset', 'to offset', 'messages'],
      plan.partitions.map((p) => [
        p.topic,
        String(p.partition),
        count(p.fromOffset),
        count(p.toOffset),
        count(p.messages),
      ]),
    ),
  );
  const estimate =
    plan.estimatedSeconds === null || plan.ratePerSecond === null
      ? 'no estimate (no throughput known yet)'
      : `about ${formatSeconds(plan.estimatedSeconds * 1000)} at ${count(Math.round(plan.ratePerSecond))} messages/s (${plan.rateBasis})`;
  context.out.line(
    (plan.snapshotEntries > 0
      ? `${count(plan.snapshotEntries)} orders from the snapshot of what retention deleted, then `
      : '') +
      `${count(plan.messages)} messages to replay, ${estimate}; messages appended meanwhile are applied before the switch.`,
  );
  if (plan.running !== null) {
    context.out.line(
      `A rebuild is running now (${plan.running.owner}, lease until ${new Date(plan.running.until).toISOString()}): another one is refused.`,
    );
  }
}

/**
 * Rebuilds the views from the orders log into a new generation of tables while the current one keeps
 * answering, then switches and drops the old tables (runRebuild). `--dry-run` prints the plan only.
 */
export async function rebuildViews(context: CommandContext, options: RebuildOptions): Promise<void> {
  await requireTopic(context, TOPICS.orders);
  const bus = await context.session.bus();
  const store = await context.session.store();
  const deps = {
    bus,
    generations: store.viewGenerations,
    control: store.control,
    now: context.now,
    owner: `cli@${hostname()}:${process.pid}`,
  };
  if (options.dryRun === true) {
    const plan = await planRebuild(deps);
    if (options.json === true) printJson(context, plan);
    else printPlan(context, plan);
    return;
  }
  const progress = phaseProgressBar(
    options.json === true ? undefined : context.terminal.progressStream,
    'rebuild',
    PHASES,
  );
  let report;
  try {
    report = await runRebuild({
      ...deps,
      onProgress: progress.report,
    });
  } finally {
    progress.stop();
  }
  if (options.json === true) {
    printJson(context, report);
    return;
  }
  printPlan(context, report.plan);
  context.out.line(
    `Rebuilt: ${report.fromSnapshot > 0 ? `${count(report.fromSnapshot)} orders from the snapshot, ` : ''}${count(report.replayed)} messages replayed and ${count(report.caughtUp)} appended meanwhile applied in ` +
      `${formatSeconds(report.finishedAt - report.startedAt)} (${count(report.ratePerSecond)} messages/s); ` +
      `generation ${report.plan.toGeneration} answers, generation ${report.plan.fromGeneration} dropped.`,
  );
}
