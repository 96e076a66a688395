import type { AuditReport, EventBus, Store } from '@kafka-monitor/domain';
import { runAudit } from '@kafka-monitor/pipeline';
import type { AuditReportDto, AuditStateDto } from '../contract-audit.js';

export interface AuditorDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  /** How long an audit waits for the processors to consume up to its cut (default 30 s). */
  readonly catchUpTimeoutMs?: number;
}

/** Runs one consistency audit at a time in the background and keeps the latest result. */
export interface Auditor {
  state(): AuditStateDto;
  /** Starts an audit; false (and nothing started) while one runs. */
  start(): boolean;
  /** Resolves when the running audit (if any) has finished. */
  settled(): Promise<void>;
}

export function reportDto(report: AuditReport): AuditReportDto {
  return {
    'started-at': report.startedAt,
    'finished-at': report.finishedAt,
    cut: report.cut.map((c) => ({ topic: c.topic, partition: c.partition, 'end-offset': c.endOffset })),
    'caught-up': report.caughtUp,
    read: { ...report.read },
    compared: {
      customers: report.compared.customers,
      products: report.compared.products,
      'registered-orders': report.compared.registeredOrders,
      totals: report.compared.totals,
    },
    'skipped-after-cut': report.skippedAfterCut,
    drifts: report.drifts.map((d) => ({ ...d })),
    clean: report.clean,
  };
}

export function createAuditor(deps: AuditorDeps): Auditor {
  let state: AuditStateDto = { status: 'never-run', 'started-at': null, report: null, error: null };
  let running: Promise<void> | undefined;
  return {
    state: () => state,
    start() {
      if (running !== undefined) return false;
      state = { ...state, status: 'running', 'started-at': deps.now(), error: null };
      running = runAudit({
        bus: deps.bus,
        views: deps.store.views,
        registry: deps.store.registry,
        now: deps.now,
        ...(deps.catchUpTimeoutMs === undefined ? {} : { catchUpTimeoutMs: deps.catchUpTimeoutMs }),
      })
        .then(
          (report) => {
            state = { ...state, status: 'done', report: reportDto(report) };
          },
          (error: unknown) => {
            state = { ...state, status: 'failed', error: error instanceof Error ? error.message : String(error) };
          },
        )
        .finally(() => {
          running = undefined;
        });
      return true;
    },
    settled: () => running ?? Promise.resolve(),
  };
}
