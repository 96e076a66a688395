import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Logger } from '@kafka-monitor/domain';

/** What store retention deletes, as the metric's `table` label names it. */
export type RetainedTable =
  'produced_orders' | 'idempotency_keys' | 'status_decisions' | 'registry_changes' | 'dead_letters';

export const RETAINED_TABLES: readonly RetainedTable[] = [
  'produced_orders',
  'idempotency_keys',
  'status_decisions',
  'registry_changes',
  'dead_letters',
];

/** One kind of row a process owns and deletes once older than `retentionMs` (-1 keeps it). */
export interface RetentionTask {
  readonly table: RetainedTable;
  readonly retentionMs: number;
  /** One step: deletes at most about `limit` rows older than `before`, answers how many. */
  readonly expire: (before: number, limit: number) => Promise<number>;
}

export interface StoreRetentionOptions {
  readonly tasks: readonly RetentionTask[];
  /** Time between the end of one pass and the start of the next. */
  readonly intervalMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Told how many rows each step deleted (the metric). */
  readonly onExpired?: (table: RetainedTable, count: number) => void;
  /** Rows per step; default 500, as the embedded log's retention. */
  readonly stepRows?: number;
}

export interface StoreRetention {
  /** Runs one pass now (after the one running, if any); the rows it deleted per table. */
  pass(): Promise<ReadonlyMap<RetainedTable, number>>;
  /** Stops the timer and waits for the pass in progress. */
  stop(): Promise<void>;
}

const STEP_ROWS = 500;

/**
 * Deletes what retention allows in the background: a pass every `intervalMs`, each table in steps of
 * a few hundred rows, each step its own short write with the event loop free in between, so requests
 * and batches wait at most one step. A failed step (the store unreachable, the disk full) ends that
 * table's pass with a warning; the next pass starts again from the oldest rows.
 */
export function startStoreRetention(options: StoreRetentionOptions): StoreRetention {
  const step = options.stepRows ?? STEP_ROWS;
  const active = options.tasks.filter((task) => task.retentionMs >= 0);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ReadonlyMap<RetainedTable, number>> = Promise.resolve(new Map());

  async function expireTable(task: RetentionTask): Promise<number> {
    const before = options.now() - task.retentionMs;
    let total = 0;
    try {
      while (!stopped) {
        const deleted = await task.expire(before, step);
        total += deleted;
        if (deleted > 0) options.onExpired?.(task.table, deleted);
        if (deleted < step) break;
        await yieldToEventLoop();
      }
    } catch (error) {
      options.logger.warn(
        { err: error, table: task.table },
        'store retention: a step failed; retried at the next pass',
      );
    }
    return total;
  }

  async function runPass(): Promise<ReadonlyMap<RetainedTable, number>> {
    const deleted = new Map<RetainedTable, number>();
    for (const task of active) {
      const count = await expireTable(task);
      deleted.set(task.table, count);
      if (count > 0) options.logger.debug({ table: task.table, deleted: count }, 'store retention deleted old rows');
    }
    return deleted;
  }

  const pass = () => {
    running = running.then(runPass, runPass);
    return running;
  };

  const schedule = () => {
    if (stopped || active.length === 0) return;
    timer = setTimeout(() => {
      void pass().then(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    pass,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
