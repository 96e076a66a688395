import type { Store } from '@kafka-monitor/domain';
import type { RetentionTask } from '@kafka-monitor/pipeline';
import type { ServiceName, StoreRetentionSettings } from './config.js';

/**
 * The retention a process runs: for the rows its services own, so each kind is deleted by the process
 * that writes it (several instances of it may run; a step is safe to run twice at once). The order
 * processor owns produced orders, the registry processor decision records and its change feed, the
 * monitor idempotency keys
 * (POST /api/orders) and dead letters.
 */
export function retentionTasksFor(
  services: readonly ServiceName[],
  store: Store,
  settings: StoreRetentionSettings,
): RetentionTask[] {
  const tasks: RetentionTask[] = [];
  if (services.includes('order-processor')) {
    tasks.push({
      table: 'produced_orders',
      retentionMs: settings.producedOrdersMs,
      expire: (before, limit) => store.produced.expireProduced(before, limit),
    });
  }
  if (services.includes('registry-processor')) {
    tasks.push(
      {
        table: 'status_decisions',
        retentionMs: settings.decisionsMs,
        expire: (before, limit) => store.registry.expireDecisions(before, limit),
      },
      {
        table: 'registry_changes',
        retentionMs: settings.changeFeedMs,
        expire: (before, limit) => store.registry.expireChanges(before, limit),
      },
    );
  }
  if (services.includes('monitor')) {
    tasks.push(
      {
        table: 'idempotency_keys',
        retentionMs: settings.idempotencyKeysMs,
        expire: (before, limit) => store.control.expireIdempotencyKeys(before, limit),
      },
      {
        table: 'dead_letters',
        retentionMs: settings.resolvedDeadLettersMs,
        expire: (before, limit) => store.deadLetters.expireResolved(before, limit),
      },
    );
  }
  return tasks;
}

/** A retention in milliseconds as a Cassandra TTL in seconds: 0 (none) for -1, else at least 1. */
export const ttlSecondsOf = (ms: number): number => (ms < 0 ? 0 : Math.max(1, Math.ceil(ms / 1000)));
