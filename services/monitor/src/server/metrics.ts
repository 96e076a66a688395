import { Counter, Gauge, type Registry } from 'prom-client';

import { CONSUMER_STATUSES, DEAD_LETTER_STATUSES, countByReasonClass } from '@kafka-monitor/domain';
import type { DeadLetterClassCount, PartitionLag, Store } from '@kafka-monitor/domain';
import type { ProcessMetrics } from '@kafka-monitor/pipeline';
import type { ProcessorsData } from '../contract.js';
import { PROCESSOR_STATUSES, partitionLagSeconds, type ProcessorStatusReader } from './processor-status.js';
import { createRequestMetrics } from './request-metrics.js';
import { readReviewQueue } from './review-snapshot.js';

export interface MonitorMetrics {
  readonly registry: Registry;
  /** Everything a scrape of this process reads, in the text exposition format of `registry.contentType`. */
  readonly exposition: () => Promise<string>;
  readonly observeRequest: (method: string, route: string, status: number, seconds: number) => void;
}

export interface MonitorMetricsOptions {
  readonly store: Store;
  readonly status: Pick<ProcessorStatusReader, 'read' | 'lags'>;
  readonly processMetrics: Pick<ProcessMetrics, 'registry' | 'addExposition' | 'exposition'>;
  /** The `cluster_name` label of the lag series (KAFKA_CLUSTER_NAME). */
  readonly clusterName: string;
  readonly now: () => number;
  /** Clients of this process's live stream. */
  readonly liveStreamClients: () => number;
  /** Store and bus reads are reused for this long, so the families of one scrape cost one read each. */
  readonly cacheMs?: number;
  /** REVIEW_SLA_MINUTES in ms: pending orders waiting longer are counted as overdue. */
  readonly reviewSlaMs: number;
}

/**
 * Appended to the help of every family read from the store or the bus. Those values are shared by the
 * whole deployment, so every monitor replica exports the same numbers: a query must aggregate them with
 * `max` (or pick one replica), never `sum`. They are gauges for that reason too (but for the dead
 * letters received, which only grow): like the offsets of kafka_exporter and kafka-lag-exporter, they
 * are the state of the cluster as read at scrape time, not events this process counted.
 */
export const CLUSTER_WIDE = 'Cluster-wide, the same on every monitor replica: aggregate with max(), not sum().';

/** One read shared by the callers of the next `ms` milliseconds; a failed read is not kept. */
function shared<T>(read: () => Promise<T>, now: () => number, ms: number): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const at = now();
    if (cached === undefined || at - cached.at >= ms) {
      const value = read();
      cached = { at, value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}

type GroupLags = readonly { readonly group: string; readonly lag: readonly PartitionLag[] }[];

/**
 * The monitor's Prometheus series (docs/metrics.md), registered into the process's one registry, where
 * the processors of this process observe their batch histograms. Lag has kafka-lag-exporter's names
 * and labels, so its dashboards and alerts apply. Labels are bounded sets (processor, group, topic,
 * partition, route, status, reason class); order and customer ids never become labels.
 *
 * Every labelled family is reset at each collect, after its data was read and before it is set again
 * (no await in between), so a group, partition, processor or reason class that disappears stops being
 * exported instead of keeping its last value.
 */
export function createMonitorMetrics(options: MonitorMetricsOptions): MonitorMetrics {
  const { store, status, processMetrics, clusterName, now } = options;
  const { registry } = processMetrics;
  const cacheMs = options.cacheMs ?? 1_000;
  const requests = createRequestMetrics();
  processMetrics.addExposition(() => requests.exposition());
  const deadLetters = shared(async () => countByReasonClass(await store.deadLetters.counts()), now, cacheMs);

  const stateGauge = stateGaugesIn(registry);

  const processors = (): Promise<ProcessorsData> => status.read();
  const byProcessor =
    (field: 'processed' | 'errors' | 'instances') =>
    (set: (labels: { processor?: string }, value: number) => void, data: ProcessorsData) => {
      for (const p of data.processors) set({ processor: p.name }, p[field]);
    };
  stateGauge(
    'kafka_monitor_messages_processed',
    'Messages processed, by processor (durable count, each offset once).',
    ['processor'],
    processors,
    byProcessor('processed'),
  );
  stateGauge(
    'kafka_monitor_processing_errors',
    'Poison messages and failures, by processor (durable count).',
    ['processor'],
    processors,
    byProcessor('errors'),
  );
  stateGauge(
    'kafka_monitor_processor_instances',
    'Live instances, by processor.',
    ['processor'],
    processors,
    byProcessor('instances'),
  );
  stateGauge(
    'kafka_monitor_processor_status',
    'Status of each processor: 1 for the current one of healthy, degraded, stalled and down, 0 for the others.',
    ['processor', 'status'],
    processors,
    (set, data) => {
      for (const p of data.processors) {
        for (const candidate of PROCESSOR_STATUSES)
          set({ processor: p.name, status: candidate }, p.status === candidate ? 1 : 0);
      }
    },
  );

  registerLagSeries(stateGauge, { lags: () => status.lags(), clusterName, now });
  registerLagEvaluationSeries(stateGauge, { processors, clusterName });

  stateGauge(
    'kafka_monitor_dead_letters',
    'Dead letters by source topic, reason class and status (pending, redriven, discarded).',
    ['topic', 'reason_class', 'status'],
    deadLetters,
    (set, counts) => {
      // Every status of a topic and class that has dead letters, 0 included, so a pending count that
      // falls to nothing reads 0 rather than vanishing.
      for (const r of receivedByClass(counts)) {
        for (const state of DEAD_LETTER_STATUSES)
          set({ topic: r.topic, reason_class: r.reasonClass, status: state }, 0);
      }
      for (const c of counts) set({ topic: c.topic, reason_class: c.reasonClass, status: c.status }, c.count);
    },
  );
  new Counter({
    name: 'kafka_monitor_dead_letters_received_total',
    help: `Dead letters ever collected, by source topic and reason class, whatever their status now. ${CLUSTER_WIDE}`,
    labelNames: ['topic', 'reason_class'],
    registers: [registry],
    async collect() {
      const received = receivedByClass(await deadLetters());
      // The store's count, not this process's increments: set by resetting, then adding it once.
      this.reset();
      for (const r of received) this.inc({ topic: r.topic, reason_class: r.reasonClass }, r.count);
    },
  });

  new Gauge({
    name: 'kafka_monitor_orders',
    help: `Distinct orders folded into the views. ${CLUSTER_WIDE}`,
    registers: [registry],
    async collect() {
      this.set((await store.views.totals()).totalOrders);
    },
  });
  stateGauge(
    'kafka_monitor_registered_orders',
    'Registered orders by current status.',
    ['status'],
    () => store.registry.totals(),
    (set, totals) => {
      set({ status: 'accepted' }, totals.acceptedCount);
      set({ status: 'denied' }, totals.deniedCount);
      set({ status: 'pending' }, totals.pendingCount);
    },
  );

  const review = shared(() => readReviewQueue(store, now(), options.reviewSlaMs), now, cacheMs);
  new Gauge({
    name: 'kafka_monitor_review_pending',
    help: `Pending orders waiting for review. ${CLUSTER_WIDE}`,
    registers: [registry],
    async collect() {
      this.set((await review()).pendingCount);
    },
  });
  new Gauge({
    name: 'kafka_monitor_review_overdue',
    help: `Pending orders waiting longer than REVIEW_SLA_MINUTES. ${CLUSTER_WIDE}`,
    registers: [registry],
    async collect() {
      this.set((await review()).overdueCount);
    },
  });

  // This process's own state: per process, summed across processes.
  new Gauge({
    name: 'kafka_monitor_live_stream_clients',
    help: 'Clients connected to the live stream (/api/stream) of this process.',
    registers: [registry],
    collect() {
      this.set(options.liveStreamClients());
    },
  });

  return {
    registry,
    exposition: () => processMetrics.exposition(),
    observeRequest: (method, route, statusCode, seconds) => requests.observe(method, route, statusCode, seconds),
  };
}

/** Dead letters of every status added up per topic and reason class. */
function receivedByClass(counts: readonly DeadLetterClassCount[]): DeadLetterClassCount[] {
  const received = new Map<string, DeadLetterClassCount>();
  for (const c of counts) {
    const key = JSON.stringify([c.topic, c.reasonClass]);
    received.set(key, { ...c, count: (received.get(key)?.count ?? 0) + c.count });
  }
  return [...received.values()];
}

type StateGauge = <T, L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Promise<T>,
  write: (set: (labels: Partial<Record<L, string>>, value: number) => void, data: T) => void,
) => void;

/**
 * Registers cluster-wide gauges whose every sample is rewritten at each collect: the data is read
 * first, then the family is reset and set again with no await in between.
 */
function stateGaugesIn(registry: Registry): StateGauge {
  return (name, help, labelNames, read, write) => {
    new Gauge({
      name,
      help: `${help} ${CLUSTER_WIDE}`,
      labelNames,
      registers: [registry],
      async collect() {
        const data = await read();
        this.reset();
        write((labels, value) => this.set(labels, value), data);
      },
    });
  };
}

/** kafka-lag-exporter's families, from the groups' partition lag the status reader reads from the bus. */
function registerLagSeries(
  stateGauge: StateGauge,
  deps: { lags: () => Promise<GroupLags>; clusterName: string; now: () => number },
): void {
  const { lags, clusterName, now } = deps;
  const perPartition = ['cluster_name', 'group', 'topic', 'partition'] as const;
  const partitionLabels = (group: string, p: PartitionLag) => ({
    cluster_name: clusterName,
    group,
    topic: p.topic,
    partition: String(p.partition),
  });
  stateGauge(
    'kafka_consumergroup_group_offset',
    'Committed offset of the consumer group: the next offset it will read, by partition.',
    perPartition,
    lags,
    (set, groups) => {
      for (const { group, lag } of groups) for (const p of lag) set(partitionLabels(group, p), p.committedOffset);
    },
  );
  stateGauge(
    'kafka_consumergroup_group_lag',
    'Messages the consumer group has not committed, by partition.',
    perPartition,
    lags,
    (set, groups) => {
      for (const { group, lag } of groups) for (const p of lag) set(partitionLabels(group, p), p.lag);
    },
  );
  stateGauge(
    'kafka_consumergroup_group_lag_seconds',
    'Age in seconds of the oldest message the consumer group has not committed, by partition (0 when caught up).',
    perPartition,
    lags,
    (set, groups) => {
      const at = now();
      for (const { group, lag } of groups) {
        for (const p of lag) set(partitionLabels(group, p), partitionLagSeconds(p, at));
      }
    },
  );
  const perGroup = (name: string, help: string, value: (lag: readonly PartitionLag[], at: number) => number): void =>
    stateGauge(name, help, ['cluster_name', 'group'], lags, (set, groups) => {
      const at = now();
      for (const { group, lag } of groups) set({ cluster_name: clusterName, group }, value(lag, at));
    });
  perGroup('kafka_consumergroup_group_max_lag', 'Largest lag of the consumer group over its partitions.', (lag) =>
    lag.reduce((max, p) => Math.max(max, p.lag), 0),
  );
  perGroup(
    'kafka_consumergroup_group_max_lag_seconds',
    'Largest lag in seconds of the consumer group over its partitions.',
    (lag, at) => lag.reduce((max, p) => Math.max(max, partitionLagSeconds(p, at)), 0),
  );
  perGroup('kafka_consumergroup_group_sum_lag', 'Lag of the consumer group summed over its partitions.', (lag) =>
    lag.reduce((sum, p) => sum + p.lag, 0),
  );
  stateGauge(
    'kafka_consumergroup_group_topic_sum_lag',
    'Lag of the consumer group summed over the partitions of one topic.',
    ['cluster_name', 'group', 'topic'],
    lags,
    (set, groups) => {
      for (const { group, lag } of groups) {
        const byTopic = new Map<string, number>();
        for (const p of lag) byTopic.set(p.topic, (byTopic.get(p.topic) ?? 0) + p.lag);
        for (const [topic, sum] of byTopic) set({ cluster_name: clusterName, group, topic }, sum);
      }
    },
  );
  stateGauge(
    'kafka_partition_latest_offset',
    'End offset of the partition: the offset the next appended message gets.',
    ['cluster_name', 'topic', 'partition'],
    lags,
    (set, groups) => {
      // Partitions read by several groups are described once per group; the latest description wins.
      const latest = new Map<string, PartitionLag>();
      for (const { lag } of groups) {
        for (const p of lag) {
          const key = `${p.topic}\u0000${p.partition}`;
          if ((latest.get(key)?.endOffset ?? -1) < p.endOffset) latest.set(key, p);
        }
      }
      for (const p of latest.values()) {
        set({ cluster_name: clusterName, topic: p.topic, partition: String(p.partition) }, p.endOffset);
      }
    },
  );
}

/**
 * The monitor's evaluation of each group over its lag history (Burrow's status, rates, time to drain),
 * from the processor figures. A figure that cannot be told yet (fewer than two samples in the window)
 * is NaN, so the series exists and no comparison on it is true; a lag that will not drain is +Inf.
 */
function registerLagEvaluationSeries(
  stateGauge: StateGauge,
  deps: { processors: () => Promise<ProcessorsData>; clusterName: string },
): void {
  const { processors, clusterName } = deps;
  const known = (value: number | null) => value ?? Number.NaN;
  const eachPartition = (
    data: ProcessorsData,
    visit: (
      group: string,
      p: NonNullable<ProcessorsData['processors'][number]['consumer-group']>['partitions'][number],
    ) => void,
  ) => {
    for (const processor of data.processors) {
      const group = processor['consumer-group'];
      if (group !== null) for (const p of group.partitions) visit(group.group, p);
    }
  };
  type GroupPartition = Parameters<Parameters<typeof eachPartition>[1]>[1];
  /** A gauge per group and partition, of one figure of the partition's evaluation. */
  const groupPartitionGauge = (name: string, help: string, value: (p: GroupPartition) => number) =>
    stateGauge(name, help, ['cluster_name', 'group', 'topic', 'partition'], processors, (set, data) =>
      eachPartition(data, (group, p) =>
        set({ cluster_name: clusterName, group, topic: p.topic, partition: String(p.partition) }, value(p)),
      ),
    );
  stateGauge(
    'kafka_monitor_consumergroup_status',
    "Burrow's status of the consumer group over the evaluation window: 1 for the current one of OK, WARN, STALL, STOP and REWIND, 0 for the others.",
    ['cluster_name', 'group', 'status'],
    processors,
    (set, data) => {
      for (const processor of data.processors) {
        const group = processor['consumer-group'];
        if (group === null) continue;
        for (const candidate of CONSUMER_STATUSES) {
          set({ cluster_name: clusterName, group: group.group, status: candidate }, group.status === candidate ? 1 : 0);
        }
      }
    },
  );
  groupPartitionGauge(
    'kafka_monitor_consumergroup_consume_rate',
    'Messages per second the consumer group committed over the evaluation window, by partition (NaN until known).',
    (p) => known(p['consume-rate']),
  );
  stateGauge(
    'kafka_monitor_partition_produce_rate',
    'Messages per second appended to the partition over the evaluation window (NaN until known).',
    ['cluster_name', 'topic', 'partition'],
    processors,
    (set, data) =>
      eachPartition(data, (_group, p) =>
        set({ cluster_name: clusterName, topic: p.topic, partition: String(p.partition) }, known(p['produce-rate'])),
      ),
  );
  groupPartitionGauge(
    'kafka_monitor_consumergroup_lag_trend',
    'Change of the lag of the consumer group on the partition in messages per second over the evaluation window (least squares): positive while it grows, negative while it drains, 0 when steady, NaN until known.',
    (p) => known(p['lag-slope']),
  );
  groupPartitionGauge(
    'kafka_monitor_consumergroup_time_to_drain_seconds',
    'Seconds until the lag of the consumer group on the partition reaches 0 at the current pace: 0 when caught up, +Inf when it grows, NaN when it cannot be told.',
    (p) => {
      const drain = p['time-to-drain-seconds'];
      return drain === 'growing' ? Number.POSITIVE_INFINITY : known(drain);
    },
  );
}
