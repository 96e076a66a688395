import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  TOPICS,
  deadLetterId,
  validateOrder,
  type EventBus,
  type PartitionLag,
  type Store,
} from '@kafka-monitor/domain';
import { createProcessMetrics, type BuildInfo } from '@kafka-monitor/pipeline';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { makeOrder } from '@kafka-monitor/testkit';
import type { ProcessorStatusDto, ProcessorsData } from '../contract.js';
import { CLUSTER_WIDE, createMonitorMetrics } from './metrics.js';
import { createProcessorStatusReader, type ProcessorStatusReader } from './processor-status.js';

const BUILD: BuildInfo = {
  version: '0.1.0',
  revision: 'unknown',
  nodejsVersion: 'v24.0.0',
  bus: 'embedded',
  store: 'sqlite',
};
const NOW = 1_700_000_000_000;
const SLA_MS = 30 * 60_000;

/** The sample lines of one family (`name` or `name{…}`), without comments. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

const encoder = new TextEncoder();

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

  function replica(
    options: {
      status?: Pick<ProcessorStatusReader, 'read' | 'lags'>;
      now?: () => number;
      clients?: () => number;
      cluster?: string;
    } = {},
  ) {
    const now = options.now ?? Date.now;
    const processMetrics = createProcessMetrics(BUILD);
    const status = options.status ?? createProcessorStatusReader({ bus, store, now });
    return createMonitorMetrics({
      store,
      status,
      processMetrics,
      clusterName: options.cluster ?? 'kafka-monitor',
      now,
      liveStreamClients: options.clients ?? (() => 0),
      reviewSlaMs: SLA_MS,
    });
  }

  it('exports store-derived values as cluster-wide gauges, the same on every replica', async () => {
    await bus.publish(TOPICS.orders, [{ key: 'a', value: 'x' }]);
    const [first, second] = [replica({ now: () => NOW }), replica({ now: () => NOW })];
    const [a, b] = await Promise.all([first.exposition(), second.exposition()]);
    const cluster = [
      'kafka_monitor_orders',
      'kafka_monitor_registered_orders',
      'kafka_monitor_messages_processed',
      'kafka_monitor_processing_errors',
      'kafka_monitor_processor_instances',
      'kafka_monitor_processor_status',
      'kafka_consumergroup_group_offset',
      'kafka_consumergroup_group_lag',
      'kafka_consumergroup_group_lag_seconds',
      'kafka_consumergroup_group_max_lag',
      'kafka_consumergroup_group_max_lag_seconds',
      'kafka_consumergroup_group_sum_lag',
      'kafka_consumergroup_group_topic_sum_lag',
      'kafka_partition_latest_offset',
      'kafka_monitor_dead_letters',
      'kafka_monitor_review_pending',
      'kafka_monitor_review_overdue',
    ];
    for (const name of cluster) {
      expect(a, name).toContain(`# TYPE ${name} gauge`);
      expect(a, name).toMatch(new RegExp(`# HELP ${name} .*aggregate with max\\(\\), not sum\\(\\)\\.`));
      expect(samples(a, name), name).toEqual(samples(b, name));
    }
    expect(a).toContain('# TYPE kafka_monitor_dead_letters_received_total counter');
    expect(samples(a, 'kafka_monitor_orders')).toEqual(['kafka_monitor_orders 3']);
    expect(CLUSTER_WIDE).toContain('max()');
    // No counter is derived from the store's processing figures: a sum over replicas would count twice.
    expect(a).not.toMatch(/# TYPE kafka_monitor_(orders|messages_processed|processing_errors)\S* counter/);
    // The former names are gone.
    expect(a).not.toMatch(/^kafka_consumergroup_lag/m);
    expect(a).not.toContain('kafka_monitor_processor_up');
  });

  it('counts pending and overdue review orders against the SLA, and every process exports the expired counter', async () => {
    const source = { consumer: 'registry-processor', topic: TOPICS.registry, partition: 0 };
    const pending = [1, 2, 3].map((i) =>
      makeOrder({ orderId: `00000000-0000-4000-8000-00000000010${i}`, totalCents: 99_999 }),
    );
    for (const [offset, order] of pending.entries()) {
      const result = validateOrder(order);
      await store.registry.applyRegistryMessages(
        source,
        [{ offset, content: { kind: 'validation', order, result, timestamp: NOW } }],
        // Two registered before the SLA's start, one after it.
        offset < 2 ? NOW - SLA_MS - 1 : NOW - SLA_MS + 1,
      );
    }
    const text = await replica({ now: () => NOW }).exposition();
    expect(samples(text, 'kafka_monitor_review_pending')).toEqual(['kafka_monitor_review_pending 3']);
    expect(samples(text, 'kafka_monitor_review_overdue')).toEqual(['kafka_monitor_review_overdue 2']);
    expect(text).toContain('# TYPE kafka_monitor_review_expired_total counter');
  });

  it("shares the process's registry with its processors: every family once", async () => {
    const processMetrics = createProcessMetrics(BUILD);
    processMetrics.observeBatch('query-processor', 0.004, [0.1]);
    const status = createProcessorStatusReader({ bus, store, now: Date.now });
    const metrics = createMonitorMetrics({
      store,
      status,
      processMetrics,
      clusterName: 'kafka-monitor',
      now: Date.now,
      liveStreamClients: () => 2,
      reviewSlaMs: SLA_MS,
    });
    metrics.observeRequest('GET', '/api/stats', 200, 0.002);
    const text = await metrics.exposition();
    expect(text).toContain('kafka_monitor_batch_processing_seconds_count{processor="query-processor"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/api/stats",status="200"} 1');
    expect(samples(text, 'kafka_monitor_live_stream_clients')).toEqual(['kafka_monitor_live_stream_clients 2']);
    expect(samples(text, 'kafka_monitor_build_info')).toEqual([
      'kafka_monitor_build_info{version="0.1.0",revision="unknown",nodejs_version="v24.0.0",bus="embedded",store="sqlite"} 1',
    ]);
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    // The process's own scrape (METRICS_PORT) shows the monitor's series too.
    const own = await processMetrics.exposition();
    expect(own).toContain('http_requests_total{method="GET",route="/api/stats",status="200"} 1');
    expect(own).toContain('# TYPE kafka_monitor_orders gauge');
  });

  it('exports lag under the names and labels of kafka-lag-exporter', async () => {
    // Three messages on orders, appended 90 s, 60 s and 30 s before the scrape, none committed.
    const appended = [NOW - 90_000, NOW - 60_000, NOW - 30_000];
    let clock = appended[0] ?? 0;
    const appendingBus = createEmbeddedEventBus({ file: ':memory:', now: () => clock });
    try {
      await appendingBus.ensureTopics([
        { name: TOPICS.orders, partitions: 1 },
        { name: TOPICS.registry, partitions: 1 },
      ]);
      for (const at of appended) {
        clock = at;
        await appendingBus.publish(TOPICS.orders, [{ key: 'k', value: 'v' }]);
      }
      const status = createProcessorStatusReader({ bus: appendingBus, store, now: () => NOW });
      const text = await replica({ status, now: () => NOW, cluster: 'prod-eu' }).exposition();
      const labels = (group: string, topic: string) =>
        `cluster_name="prod-eu",group="${group}",topic="${topic}",partition="0"`;
      expect(samples(text, 'kafka_consumergroup_group_lag').sort()).toEqual(
        [
          `kafka_consumergroup_group_lag{${labels('query-processor', 'orders')}} 3`,
          `kafka_consumergroup_group_lag{${labels('registry-processor', 'orders')}} 3`,
          `kafka_consumergroup_group_lag{${labels('registry-processor', 'registry')}} 0`,
        ].sort(),
      );
      expect(samples(text, 'kafka_consumergroup_group_offset')).toContain(
        `kafka_consumergroup_group_offset{${labels('query-processor', 'orders')}} 0`,
      );
      expect(samples(text, 'kafka_consumergroup_group_lag_seconds').sort()).toEqual(
        [
          `kafka_consumergroup_group_lag_seconds{${labels('query-processor', 'orders')}} 90`,
          `kafka_consumergroup_group_lag_seconds{${labels('registry-processor', 'orders')}} 90`,
          `kafka_consumergroup_group_lag_seconds{${labels('registry-processor', 'registry')}} 0`,
        ].sort(),
      );
      expect(samples(text, 'kafka_consumergroup_group_max_lag_seconds')).toContain(
        'kafka_consumergroup_group_max_lag_seconds{cluster_name="prod-eu",group="query-processor"} 90',
      );
      expect(samples(text, 'kafka_consumergroup_group_max_lag')).toContain(
        'kafka_consumergroup_group_max_lag{cluster_name="prod-eu",group="registry-processor"} 3',
      );
      expect(samples(text, 'kafka_consumergroup_group_sum_lag')).toContain(
        'kafka_consumergroup_group_sum_lag{cluster_name="prod-eu",group="registry-processor"} 3',
      );
      expect(samples(text, 'kafka_consumergroup_group_topic_sum_lag').sort()).toEqual(
        [
          'kafka_consumergroup_group_topic_sum_lag{cluster_name="prod-eu",group="query-processor",topic="orders"} 3',
          'kafka_consumergroup_group_topic_sum_lag{cluster_name="prod-eu",group="registry-processor",topic="orders"} 3',
          'kafka_consumergroup_group_topic_sum_lag{cluster_name="prod-eu",group="registry-processor",topic="registry"} 0',
        ].sort(),
      );
      expect(samples(text, 'kafka_partition_latest_offset').sort()).toEqual(
        [
          'kafka_partition_latest_offset{cluster_name="prod-eu",topic="orders",partition="0"} 3',
          'kafka_partition_latest_offset{cluster_name="prod-eu",topic="registry",partition="0"} 0',
        ].sort(),
      );
    } finally {
      await appendingBus.close();
    }
  });

  it('exports all four statuses of every processor, exactly one of them 1', async () => {
    const text = await replica().exposition();
    const series = samples(text, 'kafka_monitor_processor_status');
    for (const processor of ['order-processor', 'query-processor', 'registry-processor']) {
      const own = series.filter((line) => line.includes(`processor="${processor}"`));
      expect(own.map((line) => /status="(\w+)"/.exec(line)?.[1]).sort(), processor).toEqual(
        ['degraded', 'down', 'healthy', 'stalled'].sort(),
      );
      expect(
        own.filter((line) => line.endsWith(' 1')),
        processor,
      ).toHaveLength(1);
      expect(
        own.filter((line) => line.endsWith(' 0')),
        processor,
      ).toHaveLength(3);
    }
    // Nothing runs here, so every processor is down.
    expect(series).toContain('kafka_monitor_processor_status{processor="query-processor",status="down"} 1');
  });

  it('counts dead letters by topic, reason class and status, and every one received', async () => {
    const letter = (topic: string, offset: number, reason: string) => ({
      id: deadLetterId({ topic, partition: 0, offset }),
      topic,
      partition: 0,
      offset,
      key: null,
      value: encoder.encode('x'),
      headers: {},
      group: 'query-processor',
      reason,
      failedAt: NOW,
    });
    await store.deadLetters.record(
      [
        letter('orders', 1, 'not JSON: Unexpected token'),
        letter('orders', 2, 'not JSON: Unexpected end of JSON input'),
        letter('orders', 3, "'quantity' must be an integer"),
        letter('registry', 1, 'not UTF-8 text'),
      ],
      NOW,
    );
    await store.deadLetters.transition(
      deadLetterId({ topic: 'orders', partition: 0, offset: 2 }),
      'pending',
      'discarded',
      NOW,
    );
    await store.deadLetters.transition(
      deadLetterId({ topic: 'registry', partition: 0, offset: 1 }),
      'pending',
      'redriven',
      NOW,
    );
    const text = await replica().exposition();
    expect(samples(text, 'kafka_monitor_dead_letters').sort()).toEqual(
      [
        'kafka_monitor_dead_letters{topic="orders",reason_class="malformed-json",status="pending"} 1',
        'kafka_monitor_dead_letters{topic="orders",reason_class="malformed-json",status="redriven"} 0',
        'kafka_monitor_dead_letters{topic="orders",reason_class="malformed-json",status="discarded"} 1',
        'kafka_monitor_dead_letters{topic="orders",reason_class="invalid-order",status="pending"} 1',
        'kafka_monitor_dead_letters{topic="orders",reason_class="invalid-order",status="redriven"} 0',
        'kafka_monitor_dead_letters{topic="orders",reason_class="invalid-order",status="discarded"} 0',
        'kafka_monitor_dead_letters{topic="registry",reason_class="not-utf8",status="pending"} 0',
        'kafka_monitor_dead_letters{topic="registry",reason_class="not-utf8",status="redriven"} 1',
        'kafka_monitor_dead_letters{topic="registry",reason_class="not-utf8",status="discarded"} 0',
      ].sort(),
    );
    expect(samples(text, 'kafka_monitor_dead_letters_received_total').sort()).toEqual(
      [
        'kafka_monitor_dead_letters_received_total{topic="orders",reason_class="malformed-json"} 2',
        'kafka_monitor_dead_letters_received_total{topic="orders",reason_class="invalid-order"} 1',
        'kafka_monitor_dead_letters_received_total{topic="registry",reason_class="not-utf8"} 1',
      ].sort(),
    );
  });

  it('drops the series of groups, partitions and processors that are gone at the next scrape', async () => {
    const partition = (topic: string, p: number, lag: number): PartitionLag => ({
      topic,
      partition: p,
      committedOffset: 10,
      endOffset: 10 + lag,
      lag,
      oldestUnreadTimestamp: lag > 0 ? NOW - 5_000 : null,
    });
    const processor = (name: string, status: ProcessorStatusDto['status']): ProcessorStatusDto => ({
      name,
      status,
      instances: 1,
      uptime: 1,
      'uptime-seconds': 1,
      processed: 5,
      errors: 0,
      'throughput-per-second': 0,
      'last-processed': null,
      'consumer-group': null,
    });
    let lags: { group: string; members: number; lag: PartitionLag[] }[] = [
      { group: 'query-processor', members: 1, lag: [partition('orders', 0, 4), partition('orders', 1, 2)] },
      { group: 'old-group', members: 0, lag: [partition('orders', 0, 1)] },
    ];
    let processors: ProcessorStatusDto[] = [processor('query-processor', 'healthy'), processor('retired', 'degraded')];
    const status: Pick<ProcessorStatusReader, 'read' | 'lags'> = {
      read: () => Promise.resolve<ProcessorsData>({ processors, timestamp: NOW }),
      lags: () => Promise.resolve(lags),
    };
    let clock = NOW;
    const metrics = replica({ status, now: () => clock });
    const before = await metrics.exposition();
    expect(before).toContain('group="old-group"');
    expect(before).toContain('partition="1"');
    expect(before).toContain('processor="retired"');

    lags = [{ group: 'query-processor', members: 1, lag: [partition('orders', 0, 3)] }];
    processors = [processor('query-processor', 'stalled')];
    clock += 5_000;
    const after = await metrics.exposition();
    expect(after).not.toContain('group="old-group"');
    expect(after).not.toContain('partition="1"');
    expect(after).not.toContain('processor="retired"');
    expect(samples(after, 'kafka_consumergroup_group_lag')).toEqual([
      'kafka_consumergroup_group_lag{cluster_name="kafka-monitor",group="query-processor",topic="orders",partition="0"} 3',
    ]);
    expect(samples(after, 'kafka_partition_latest_offset')).toEqual([
      'kafka_partition_latest_offset{cluster_name="kafka-monitor",topic="orders",partition="0"} 13',
    ]);
    expect(samples(after, 'kafka_monitor_processor_status').filter((l) => l.endsWith(' 1'))).toEqual([
      'kafka_monitor_processor_status{processor="query-processor",status="stalled"} 1',
    ]);
    expect(samples(after, 'kafka_monitor_messages_processed')).toEqual([
      'kafka_monitor_messages_processed{processor="query-processor"} 5',
    ]);
  });

  it("exports Burrow's status of each group, its rates, lag trend and time to drain, NaN or +Inf where they say so", async () => {
    const part = (partition: number, fields: Partial<PartitionFields>): PartitionFields => ({
      topic: 'orders',
      partition,
      'committed-offset': 10,
      'end-offset': 20,
      lag: 10,
      'lag-seconds': 3,
      status: 'OK',
      'consume-rate': null,
      'produce-rate': null,
      'lag-slope': null,
      trend: null,
      'time-to-drain-seconds': null,
      ...fields,
    });
    const data: ProcessorsData = {
      timestamp: NOW,
      processors: [
        {
          name: 'query-processor',
          status: 'stalled',
          instances: 1,
          uptime: 1,
          'uptime-seconds': 1,
          processed: 5,
          errors: 0,
          'throughput-per-second': 0,
          'last-processed': null,
          'consumer-group': {
            group: 'query-processor',
            lag: 10,
            'lag-seconds': 3,
            status: 'STALL',
            members: 1,
            'window-seconds': 300,
            partitions: [
              part(0, {
                status: 'STALL',
                'consume-rate': 0,
                'produce-rate': 1.5,
                'lag-slope': 1.5,
                trend: 'growing',
                'time-to-drain-seconds': 'growing',
              }),
              part(1, {
                'consume-rate': 2,
                'produce-rate': 1,
                'lag-slope': -0.8,
                trend: 'shrinking',
                'time-to-drain-seconds': 12.5,
              }),
              part(2, {}),
            ],
          },
        },
      ],
    };
    const status: Pick<ProcessorStatusReader, 'read' | 'lags'> = {
      read: () => Promise.resolve(data),
      lags: () => Promise.resolve([]),
    };
    const text = await replica({ status, now: () => NOW }).exposition();
    // prom-client writes NaN as `Nan`: Prometheus reads special values in any case.
    expect(samples(text, 'kafka_monitor_consumergroup_status')).toEqual(
      ['OK', 'WARN', 'REWIND', 'STALL', 'STOP'].map(
        (s) =>
          `kafka_monitor_consumergroup_status{cluster_name="kafka-monitor",group="query-processor",status="${s}"} ${s === 'STALL' ? 1 : 0}`,
      ),
    );
    const labels = (p: number) =>
      `cluster_name="kafka-monitor",group="query-processor",topic="orders",partition="${p}"`;
    expect(samples(text, 'kafka_monitor_consumergroup_time_to_drain_seconds')).toEqual([
      `kafka_monitor_consumergroup_time_to_drain_seconds{${labels(0)}} +Inf`,
      `kafka_monitor_consumergroup_time_to_drain_seconds{${labels(1)}} 12.5`,
      `kafka_monitor_consumergroup_time_to_drain_seconds{${labels(2)}} Nan`,
    ]);
    // Messages per second of lag growth: positive while growing, negative while draining.
    expect(samples(text, 'kafka_monitor_consumergroup_lag_trend')).toEqual([
      `kafka_monitor_consumergroup_lag_trend{${labels(0)}} 1.5`,
      `kafka_monitor_consumergroup_lag_trend{${labels(1)}} -0.8`,
      `kafka_monitor_consumergroup_lag_trend{${labels(2)}} Nan`,
    ]);
    expect(samples(text, 'kafka_monitor_consumergroup_consume_rate')).toEqual([
      `kafka_monitor_consumergroup_consume_rate{${labels(0)}} 0`,
      `kafka_monitor_consumergroup_consume_rate{${labels(1)}} 2`,
      `kafka_monitor_consumergroup_consume_rate{${labels(2)}} Nan`,
    ]);
    expect(samples(text, 'kafka_monitor_partition_produce_rate')).toEqual([
      'kafka_monitor_partition_produce_rate{cluster_name="kafka-monitor",topic="orders",partition="0"} 1.5',
      'kafka_monitor_partition_produce_rate{cluster_name="kafka-monitor",topic="orders",partition="1"} 1',
      'kafka_monitor_partition_produce_rate{cluster_name="kafka-monitor",topic="orders",partition="2"} Nan',
    ]);
  });
});

type PartitionFields = NonNullable<ProcessorStatusDto['consumer-group']>['partitions'][number];
