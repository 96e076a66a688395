import { TOPICS } from '@kafka-monitor/domain';
import type { AuditReport, DriftValue } from '@kafka-monitor/domain';
import { runAudit, type AuditProgress } from '@kafka-monitor/pipeline';
import { formatSeconds } from '../errors.js';
import { phaseProgressBar } from '../phase-progress.js';
import { count, plural, table } from '../format.js';
import { printJson, requireTopic, type CommandContext, type JsonOption } from './context.js';

/** The audit found differences: the command fails (exit 1) after printing them. */
export class DriftFound extends Error {
  constructor(differences: number) {
    super(`the store differs from the log in ${plural(differences, 'value')}`);
    this.name = 'DriftFound';
  }
}

export interface VerifyOptions extends JsonOption {
  /** Seconds to wait for the processors to consume up to the cut. */
  readonly wait: number;
}

const PHASES: Record<AuditProgress['phase'], string> = {
  'catching-up': 'waiting for the processors',
  reading: 'reading the logs',
  comparing: 'comparing registered orders',
};

const shown = (value: DriftValue): string => (value === null ? '(no row)' : String(value));

/**
 * Recomputes the views and the registry from the logs up to the cut and compares them with the store
 * (runAudit). Prints what was compared and every difference; fails when there is any, so a script or
 * CI step can run it as a check.
 */
export async function verify(context: CommandContext, options: VerifyOptions): Promise<void> {
  await requireTopic(context, TOPICS.orders);
  await requireTopic(context, TOPICS.registry);
  const bus = await context.session.bus();
  const store = await context.session.store();
  const progress = phaseProgressBar(
    options.json === true ? undefined : context.terminal.progressStream,
    'verify',
    PHASES,
  );
  let report: AuditReport;
  try {
    report = await runAudit({
      bus,
      views: store.views,
      registry: store.registry,
      now: context.now,
      catchUpTimeoutMs: options.wait * 1000,
      onProgress: progress.report,
    });
  } finally {
    progress.stop();
  }
  if (options.json === true) printJson(context, report);
  else printReport(context, report);
  if (!report.clean) throw new DriftFound(report.drifts.length);
}

function printReport(context: CommandContext, report: AuditReport): void {
  const messages = (topic: string): number =>
    report.cut.filter((c) => c.topic === topic).reduce((sum, c) => sum + c.endOffset, 0);
  context.out.line(
    `Cut: ${count(messages(TOPICS.orders))} messages on ${TOPICS.orders}, ${count(messages(TOPICS.registry))} on ${TOPICS.registry} (end offsets at the start).`,
  );
  if (!report.caughtUp) {
    context.out.line(
      'The processors had not consumed up to the cut within the wait: what they had yet to apply shows as drift.',
    );
  }
  const { compared } = report;
  context.out.line(
    `Compared ${count(compared.customers)} customers, ${count(compared.products)} products, ` +
      `${count(compared.registeredOrders)} registered orders and the totals in ${formatSeconds(report.finishedAt - report.startedAt)}` +
      (report.read.snapshot > 0
        ? `; ${count(report.read.snapshot)} entries from the snapshot of what retention deleted`
        : '') +
      (report.read.undecodable > 0
        ? `; ${count(report.read.undecodable)} undecodable messages skipped as the processors skip them`
        : '') +
      (report.skippedAfterCut > 0 ? `; ${count(report.skippedAfterCut)} rows changed after the cut left out` : '') +
      '.',
  );
  if (report.clean) {
    context.out.line('No drift: the store holds exactly what the logs say.');
    return;
  }
  context.out.line(`Drift: ${plural(report.drifts.length, 'difference')}:`);
  context.out.lines(
    table(
      ['view', 'key', 'field', 'log says', 'store has'],
      report.drifts.map((d) => [d.view, d.key, d.field, shown(d.expected), shown(d.stored)]),
    ),
  );
}
