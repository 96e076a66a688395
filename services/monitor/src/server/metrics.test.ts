import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import { TOPICS, type EventBus, type Store } from '@kafka-monitor/domain';
import { createProcessMetrics } from '@kafka-monitor/pipeline';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { makeOrder } from '@kafka-monitor/testkit';
import { CLUSTER_WIDE, createMonitorMetrics } from './metrics.js';
import { createProcessorStatusReader } from './processor-status.js';

/** The sample lines of one family (`name` or `name{…}`), without comments. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

describe('monitor metrics', () => {
  let bus: EventBus;
  let store: Store;

  beforeEach(async () => {
    bus = createEmbeddedEventBus({ file: ':memory:' });
    store = createSqliteStore({ file: ':memory:' });
    await bus.ensureTopics([
      { name: TOPICS.orders, partitions: 1 },
      { name: TOPICS.registry, partitions: 1 },
    ]);
    await store.migrate();
    const orders = [1, 2, 3].map((i) => makeOrder({ orderId: `00000000-0000-4000-8000-00000000000${i}` }));
    const source = { consumer: 'query-processor', topic: TOPICS.orders, partition: 0 };
    await store.views.applyOrders(
      source,
      orders.map((content, offset) => ({ offset, content })),
      Date.now(),
    );
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
  });

  function replica() {
    const processMetrics = createProcessMetrics();
    const status = createProcessorStatusReader({ bus, store, now: Date.now });
    return createMonitorMetrics(store, status, processMetrics);
  }

  it('exports store-derived values as cluster-wide gauges, the same on every replica', async () => {
    const [first, second] = [replica(), replica()];
    const [a, b] = await Promise.all([first.exposition(), second.exposition()]);
    const cluster = [
      'kafka_monitor_orders',
      'kafka_monitor_registered_orders',
      'kafka_monitor_messages_processed',
      'kafka_monitor_processing_errors',
      'kafka_monitor_processor_instances',
      'kafka_monitor_processor_up',
      'kafka_consumergroup_lag',
      'kafka_consumergroup_lag_seconds',
    ];
    for (const name of cluster) {
      expect(a, name).toContain(`# TYPE ${name} gauge`);
      expect(a, name).toMatch(new RegExp(`# HELP ${name} .*aggregate with max\\(\\), not sum\\(\\)\\.`));
      expect(samples(a, name), name).toEqual(samples(b, name));
    }
    expect(samples(a, 'kafka_monitor_orders')).toEqual(['kafka_monitor_orders 3']);
    expect(CLUSTER_WIDE).toContain('max()');
    // No counter is derived from the store: a sum of counters over replicas would count twice.
    expect(a).not.toMatch(/# TYPE kafka_monitor_(orders|messages_processed|processing_errors)\S* counter/);
  });

  it("shares the process's registry with its processors: every family once", async () => {
    const processMetrics = createProcessMetrics();
    processMetrics.observeBatch('query-processor', 0.004, [0.1]);
    const status = createProcessorStatusReader({ bus, store, now: Date.now });
    const metrics = createMonitorMetrics(store, status, processMetrics);
    metrics.observeRequest('GET', '/api/stats', 200, 0.002);
    const text = await metrics.exposition();
    expect(text).toContain('kafka_monitor_batch_processing_seconds_count{processor="query-processor"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/api/stats",status="200"} 1');
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    // The process's own scrape (METRICS_PORT) shows the monitor's series too.
    const own = await processMetrics.exposition();
    expect(own).toContain('http_requests_total{method="GET",route="/api/stats",status="200"} 1');
    expect(own).toContain('# TYPE kafka_monitor_orders gauge');
  });
});
