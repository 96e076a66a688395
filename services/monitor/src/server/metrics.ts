import { Gauge, type Registry } from 'prom-client';

import type { Store } from '@kafka-monitor/domain';
import type { ProcessMetrics } from '@kafka-monitor/pipeline';
import type { ProcessorStatusReader } from './processor-status.js';
import { createRequestMetrics } from './request-metrics.js';

export interface MonitorMetrics {
  readonly registry: Registry;
  /** Everything a scrape of this process reads, in the text exposition format of `registry.contentType`. */
  readonly exposition: () => Promise<string>;
  readonly observeRequest: (method: string, route: string, status: number, seconds: number) => void;
}

/**
 * Appended to the help of every family read from the store or the bus. Those values are shared by the
 * whole deployment, so every monitor replica exports the same numbers: a query must aggregate them with
 * `max` (or pick one replica), never `sum`. They are gauges for that reason too: like the offsets of
 * kafka_exporter and kafka-lag-exporter, they are the state of the cluster as read at scrape time, not
 * events this process counted.
 */
export const CLUSTER_WIDE = 'Cluster-wide, the same on every monitor replica: aggregate with max(), not sum().';

/**
 * The monitor's Prometheus series, registered into the process's one registry (where the processors
 * of this process observe their batch histograms), with the conventional names: `*_seconds`
 * histograms, `kafka_consumergroup_lag`. Labels are bounded sets (processor, group, topic, partition,
 * route, status); order and customer ids never become labels.
 */
export function createMonitorMetrics(
  store: Store,
  status: ProcessorStatusReader,
  processMetrics: Pick<ProcessMetrics, 'registry' | 'addExposition' | 'exposition'>,
): MonitorMetrics {
  const { registry } = processMetrics;
  const requests = createRequestMetrics();
  processMetrics.addExposition(() => requests.exposition());

  // Read from the store and the bus at scrape time: durable, shared by every instance (see CLUSTER_WIDE).
  new Gauge({
    name: 'kafka_monitor_messages_processed',
    help: `Messages processed, by processor (durable count, each offset once). ${CLUSTER_WIDE}`,
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      for (const p of data.processors) this.set({ processor: p.name }, p.processed);
    },
  });
  new Gauge({
    name: 'kafka_monitor_processing_errors',
    help: `Poison messages and failures, by processor (durable count). ${CLUSTER_WIDE}`,
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      for (const p of data.processors) this.set({ processor: p.name }, p.errors);
    },
  });
  new Gauge({
    name: 'kafka_monitor_processor_instances',
    help: `Live instances, by processor. ${CLUSTER_WIDE}`,
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      for (const p of data.processors) this.set({ processor: p.name }, p.instances);
    },
  });
  new Gauge({
    name: 'kafka_monitor_processor_up',
    help: `1 when the processor is healthy, 0 when degraded, stalled or down. ${CLUSTER_WIDE}`,
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      const data = await status.read();
      for (const p of data.processors) this.set({ processor: p.name }, p.status === 'healthy' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kafka_consumergroup_lag',
    help: `Messages not yet committed by the consumer group, by partition. ${CLUSTER_WIDE}`,
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
    help: `Age of the oldest message the consumer group has not committed. ${CLUSTER_WIDE}`,
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
  new Gauge({
    name: 'kafka_monitor_orders',
    help: `Distinct orders folded into the views. ${CLUSTER_WIDE}`,
    registers: [registry],
    async collect() {
      this.set((await store.views.totals()).totalOrders);
    },
  });
  new Gauge({
    name: 'kafka_monitor_registered_orders',
    help: `Registered orders by current status. ${CLUSTER_WIDE}`,
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
    exposition: () => processMetrics.exposition(),
    observeRequest: (method, route, statusCode, seconds) => requests.observe(method, route, statusCode, seconds),
  };
}
