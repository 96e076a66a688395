import { describe, expect, it } from 'vitest';
import { currentBuild } from './build-info.js';
import { createProcessMetrics } from './process-metrics.js';

describe('process metrics', () => {
  it('counts a group reset to the log start by group, topic and partition', async () => {
    const metrics = createProcessMetrics(currentBuild({ bus: 'embedded', store: 'sqlite' }));
    const reset = { topic: 'orders', partition: 1, fromOffset: 10, toOffset: 250, at: 1_700_000_000_000 };
    metrics.countOffsetReset('query-processor', reset);
    metrics.countOffsetReset('query-processor', reset);
    metrics.countOffsetReset('registry-processor', { ...reset, partition: 2 });
    const text = await metrics.exposition();
    expect(text).toContain(
      'kafka_monitor_consumer_offset_resets_total{group="query-processor",topic="orders",partition="1"} 2',
    );
    expect(text).toContain(
      'kafka_monitor_consumer_offset_resets_total{group="registry-processor",topic="orders",partition="2"} 1',
    );
  });

  it('counts rows deleted by store retention per table, every table at 0 before the first', async () => {
    const metrics = createProcessMetrics(currentBuild({ bus: 'embedded', store: 'sqlite' }));
    expect(await metrics.exposition()).toContain('kafka_monitor_store_rows_expired_total{table="dead_letters"} 0');
    metrics.countRowsExpired('idempotency_keys', 500);
    metrics.countRowsExpired('idempotency_keys', 20);
    const text = await metrics.exposition();
    expect(text).toContain('kafka_monitor_store_rows_expired_total{table="idempotency_keys"} 520');
    expect(text).toContain('kafka_monitor_store_rows_expired_total{table="produced_orders"} 0');
  });
});
