import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { Store } from '@kafka-monitor/domain';
import type { ProcessorStatusReader } from './processor-status.js';
import { createRequestMetrics } from './request-metrics.js';

export interface MonitorMetrics {
  readonly registry: Registry;
  /** Everything a scrape reads, in the text exposition format of `registry.contentType`. */
  readonly exposition: () => Promise<string>;
  readonly observeRequest: (method: string, route: string, status: number, seconds: number) => void;
  /** For processors running in this process: one batch's duration and its orders' end-to-end latency. */
  readonly observeBatch: (processor: string, seconds: number, latenciesSeconds: readonly number[]) => void;
}

/**
 * Prometheus metrics with the conventional names: `*_total` counters, `*_seconds` histograms,
 * `kafka_consumergroup_lag`. Labels are bounded sets (processor, group, topic, partition, route,
 * status); order and customer ids never become labels.
 */
export function createMonitorMetrics(store: Store, status: ProcessorStatusReader): MonitorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = createRequestMetrics();
  const batchSeconds = new Histogram({
    name: 'kafka_monitor_batch_processing_seconds',
    help: 'Time to process one consumed batch, by processor.',
    labelNames: ['processor'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const latencySeconds = new Histogram({
    name: 'kafka_monitor_end_to_end_latency_seconds',
    help: 'From the order timestamp to its effect being durable, by processor.',
    labelNames: ['processor'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  // Totals are read from the store at scrape time: they are durable and shared by every instance.
  new Counter({
    name: 'kafka_monitor_messages_processed_total',
    help: 'Messages processed, by processor (durable count, each offset once).',
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      this.reset();
      for (const p of data.processors) this.inc({ processor: p.name }, p.processed);
    },
  });
  new Counter({
    name: 'kafka_monitor_processing_errors_total',
    help: 'Poison messages and failures, by processor.',
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      this.reset();
      for (const p of data.processors) this.inc({ processor: p.name }, p.errors);
    },
  });
  new Gauge({
    name: 'kafka_monitor_processor_instances',
    help: 'Live instances, by processor.',
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      for (const p of data.processors) this.set({ processor: p.name }, p.instances);
    },
  });
  new Gauge({
    name: 'kafka_monitor_processor_up',
    help: '1 when the processor is healthy, 0 when degraded, stalled or down.',
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      for (const p of data.processors) this.set({ processor: p.name }, p.status === 'healthy' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kafka_consumergroup_lag',
    help: 'Messages not yet committed by the consumer group, by partition.',
    labelNames: ['consumergroup', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { group, lag } of await status.lags()) {
        for (const p of lag) this.set({ consumergroup: group, topic: p.topic, partition: String(p.partition) }, p.lag);
      }
    },
  });
  new Gauge({
    name: 'kafka_consumergroup_lag_seconds',
    help: 'Age of the oldest message the consumer group has not committed.',
    labelNames: ['consumergroup'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      for (const p of data.processors) {
        const group = p['consumer-group'];
        if (group !== null) this.set({ consumergroup: group.group }, group['lag-seconds']);
      }
    },
  });
  new Counter({
    name: 'kafka_monitor_orders_total',
    help: 'Distinct orders folded into the views.',
    registers: [registry],
    async collect() {
      this.reset();
      this.inc((await store.views.totals()).totalOrders);
    },
  });
  new Gauge({
    name: 'kafka_monitor_registered_orders',
    help: 'Registered orders by current status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const totals = await store.registry.totals();
      this.set({ status: 'accepted' }, totals.acceptedCount);
      this.set({ status: 'denied' }, totals.deniedCount);
      this.set({ status: 'pending' }, totals.pendingCount);
    },
  });

  return {
    registry,
    exposition: async () => `${requests.exposition()}\n${await registry.metrics()}`,
    observeRequest: (method, route, statusCode, seconds) => requests.observe(method, route, statusCode, seconds),
    observeBatch: (processor, seconds, latencies) => {
      batchSeconds.observe({ processor }, seconds);
      for (const latency of latencies) latencySeconds.observe({ processor }, latency);
    },
  };
}
