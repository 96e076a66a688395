import { hostname } from 'node:os';
import type { EventBus, Store } from '@kafka-monitor/domain';
import { planRebuild, runRebuild, type RebuildPlan, type RebuildProgress } from '@kafka-monitor/pipeline';
import type { RebuildPlanDto, RebuildStateDto } from '../contract-rebuild.js';

export interface RebuilderDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
  /** Told every state change, progress included (the live stream's `rebuild` events). */
  readonly onChange?: (state: RebuildStateDto) => void;
  /** Who the lease names (default `monitor@<host>:<pid>`). */
  readonly owner?: string;
}

/** Starts rebuilds of the views, one at a time across processes (the store's lease), and keeps the latest. */
export interface Rebuilder {
  plan(): Promise<RebuildPlanDto>;
  state(): RebuildStateDto;
  /** Starts a rebuild; the reason it is refused when one runs (here or in another process). */
  start(): Promise<{ started: true } | { started: false; reason: string }>;
  /** Resolves when the running rebuild (if any) has finished. */
  settled(): Promise<void>;
}

export function planDto(plan: RebuildPlan): RebuildPlanDto {
  return {
    'from-generation': plan.fromGeneration,
    'to-generation': plan.toGeneration,
    resumes: plan.resumes,
    partitions: plan.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      'from-offset': p.fromOffset,
      'to-offset': p.toOffset,
      messages: p.messages,
    })),
    messages: plan.messages,
    'snapshot-entries': plan.snapshotEntries,
    'rate-per-second': plan.ratePerSecond,
    'rate-basis': plan.rateBasis,
    'estimated-seconds': plan.estimatedSeconds,
    running: plan.running === null ? null : { ...plan.running },
  };
}

/** Progress events at most this often, but every phase change at once. */
const PROGRESS_EVERY_MS = 200;

export function createRebuilder(deps: RebuilderDeps): Rebuilder {
  const owner = deps.owner ?? `monitor@${hostname()}:${process.pid}`;
  let state: RebuildStateDto = {
    status: 'never-run',
    'started-at': null,
    plan: null,
    progress: null,
    report: null,
    error: null,
  };
  let running: Promise<void> | undefined;
  let lastRate: number | undefined;
  let lastEventAt = 0;
  const change = (next: RebuildStateDto, force = true): void => {
    state = next;
    const now = deps.now();
    if (!force && now - lastEventAt < PROGRESS_EVERY_MS) return;
    lastEventAt = now;
    deps.onChange?.(state);
  };
  const rebuildDeps = () => ({
    bus: deps.bus,
    generations: deps.store.viewGenerations,
    control: deps.store.control,
    now: deps.now,
    owner,
    ...(lastRate === undefined ? {} : { lastRatePerSecond: lastRate }),
  });
  const onProgress = (progress: RebuildProgress): void =>
    change({ ...state, progress: { ...progress } }, progress.phase !== state.progress?.phase);

  return {
    plan: async () => planDto(await planRebuild(rebuildDeps())),
    state: () => state,
    async start() {
      if (running !== undefined) return { started: false, reason: 'a rebuild of the views is already running' };
      const plan = await planRebuild(rebuildDeps());
      if (plan.running !== null) {
        return {
          started: false,
          reason: `a rebuild of the views is already running (${plan.running.owner}, lease until ${new Date(plan.running.until).toISOString()})`,
        };
      }
      if (running !== undefined) return { started: false, reason: 'a rebuild of the views is already running' };
      change({
        status: 'running',
        'started-at': deps.now(),
        plan: planDto(plan),
        progress: null,
        report: state.report,
        error: null,
      });
      running = runRebuild({ ...rebuildDeps(), onProgress })
        .then(
          (report) => {
            lastRate = report.ratePerSecond;
            change({
              ...state,
              status: 'done',
              plan: planDto(report.plan),
              report: {
                'started-at': report.startedAt,
                'finished-at': report.finishedAt,
                'from-generation': report.plan.fromGeneration,
                'to-generation': report.plan.toGeneration,
                replayed: report.replayed,
                'caught-up': report.caughtUp,
                'from-snapshot': report.fromSnapshot,
                'rate-per-second': report.ratePerSecond,
              },
            });
          },
          (error: unknown) => {
            change({ ...state, status: 'failed', error: error instanceof Error ? error.message : String(error) });
          },
        )
        .finally(() => {
          running = undefined;
        });
      return { started: true };
    },
    settled: () => running ?? Promise.resolve(),
  };
}
