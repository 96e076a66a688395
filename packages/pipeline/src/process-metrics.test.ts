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
});
