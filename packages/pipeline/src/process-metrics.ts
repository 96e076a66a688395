import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OffsetReset } from '@kafka-monitor/domain';
import type { BuildInfo } from './build-info.js';
import { RETAINED_TABLES, type RetainedTable } from './store-retention.js';

/** Told how long one consumed batch took and how old its orders were when their effect became durable. */
export type BatchObserver = (processor: string, seconds: number, latenciesSeconds: readonly number[]) => void;

/**
 * The hops of the registry path, which split its end-to-end latency where the time goes:
 * `produced_to_validated` from the order's timestamp to its validation (the result's timestamp: the
 * fetch of `orders` and the wait for the batch before it), `validated_to_registered` from there to the
 * registration being durable (publishing the result, the fetch of `registry`, the store's writes).
 */
export type PipelineHop = 'produced_to_validated' | 'validated_to_registered';
export type HopObserver = (hop: PipelineHop, latenciesSeconds: readonly number[]) => void;

/**
 * The one Prometheus registry of a process. The composition code creates it; processors report their
 * batches through `observeBatch` and the monitor registers its own series into `registry`, so every
 * family appears once, whatever services share the process.
 */
export interface ProcessMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  readonly observeBatch: BatchObserver;
  /** Records the latency of one hop of the registry path for each order of a batch. */
  readonly observeHop: HopObserver;
  /** Counts pending orders the registry processor of this process decided as expired. */
  readonly countExpired: (count: number) => void;
  /** Counts a consumer group's reset to the log start (retention deleted its position). */
  readonly countOffsetReset: (group: string, reset: OffsetReset) => void;
  /** Counts rows the store retention of this process deleted from one table. */
  readonly countRowsExpired: (table: RetainedTable, count: number) => void;
  /** Adds families written as text by their owner (the monitor's per-request counts) to every scrape. */
  addExposition(source: () => string): void;
  /** Everything a scrape reads, in the text exposition format of `contentType`. */
  exposition(): Promise<string>;
}

/**
 * `build` labels `kafka_monitor_build_info`, which every process exports, so a query can tell which
 * version and which bus and store produced a series (`on (instance) group_left (version)`).
 */
export function createProcessMetrics(build: BuildInfo): ProcessMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'kafka_monitor_build_info',
    help: 'Always 1: the version, git revision, Node.js version, bus and store of this process.',
    labelNames: ['version', 'revision', 'nodejs_version', 'bus', 'store'],
    registers: [registry],
  }).set(
    {
      version: build.version,
      revision: build.revision,
      nodejs_version: build.nodejsVersion,
      bus: build.bus,
      store: build.store,
    },
    1,
  );
  const batchSeconds = new Histogram({
    name: 'kafka_monitor_batch_processing_seconds',
    help: 'Time to process one consumed batch, by processor (this process only).',
    labelNames: ['processor'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const latencySeconds = new Histogram({
    name: 'kafka_monitor_end_to_end_latency_seconds',
    help: 'From the order timestamp to its effect being durable, by processor (this process only).',
    labelNames: ['processor'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const hopSeconds = new Histogram({
    name: 'kafka_monitor_hop_latency_seconds',
    help: 'Latency of one hop of the registry path per registered order: produced_to_validated (order timestamp to its validation), validated_to_registered (validation to registration durable) (this process only).',
    labelNames: ['hop'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // In every process, at 0 where no registry processor runs, so a sum over instances always has its terms.
  const expired = new Counter({
    name: 'kafka_monitor_review_expired_total',
    help: 'Pending orders decided as expired (REVIEW_EXPIRY) by the registry processor of this process (sum across instances).',
    registers: [registry],
  });
  const offsetResets = new Counter({
    name: 'kafka_monitor_consumer_offset_resets_total',
    help: 'Resets of a consumer group to the log start because retention deleted its position (this process only).',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
  });
  // Every table at 0 in every process, so a sum over instances has its terms before the first deletion.
  const rowsExpired = new Counter({
    name: 'kafka_monitor_store_rows_expired_total',
    help: 'Rows the store retention of this process deleted, by table (produced_orders, idempotency_keys, status_decisions, registry_changes, dead_letters).',
    labelNames: ['table'],
    registers: [registry],
  });
  for (const table of RETAINED_TABLES) rowsExpired.inc({ table }, 0);
  const texts: (() => string)[] = [];
  return {
    registry,
    contentType: registry.contentType,
    observeBatch(processor, seconds, latencies) {
      batchSeconds.observe({ processor }, seconds);
      for (const latency of latencies) latencySeconds.observe({ processor }, latency);
    },
    observeHop(hop, latencies) {
      for (const latency of latencies) hopSeconds.observe({ hop }, latency);
    },
    countExpired(count) {
      expired.inc(count);
    },
    countOffsetReset(group, reset) {
      offsetResets.inc({ group, topic: reset.topic, partition: String(reset.partition) });
    },
    countRowsExpired(table, count) {
      rowsExpired.inc({ table }, count);
    },
    addExposition(source) {
      texts.push(source);
    },
    async exposition() {
      const families = await registry.metrics();
      return [...texts.map((text) => text()), families].join('\n');
    },
  };
}
