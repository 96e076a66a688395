import { randomUUID } from 'node:crypto';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  TOPICS,
  deadLetterId,
  generateOrder,
  silentLogger,
  type EventBus,
  type Order,
  type Store,
} from '@kafka-monitor/domain';
import { buildMonitor, type Monitor, type MonitorOptions } from '@kafka-monitor/monitor';
import { createProcessMetrics, currentBuild, produceOrders } from '@kafka-monitor/pipeline';
import { createQueryProcessor } from '@kafka-monitor/query-processor';
import { createRegistryProcessor, type RegistryProcessor } from '@kafka-monitor/registry-processor';
import { embeddedFiles, pipelineTopics } from '@kafka-monitor/runtime';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { seededRandom, waitFor } from '@kafka-monitor/testkit';
import { temporaryDirectory } from '../helpers.js';

export interface Harness {
  readonly base: string;
  readonly bus: EventBus;
  readonly store: Store;
  readonly monitor: Monitor;
  readonly registryProcessor: RegistryProcessor;
  /** Produces orders through the real path and waits until both processors applied them. */
  seed(orders: readonly Order[]): Promise<void>;
  /**
   * Publishes a raw message to `orders` and waits until both processors dead-lettered it and the
   * monitor collected it; returns the dead letter's id.
   */
  poison(value: string | Uint8Array, key?: string): Promise<string>;
  close(): Promise<void>;
}

export { seededRandom } from '@kafka-monitor/testkit';

export function orders(count: number, seed = 1, anomalyRate = 0): Order[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) =>
    generateOrder(random, { orderId: randomUUID(), timestamp: 1_700_000_000_000 + i * 1000 }, anomalyRate),
  );
}

/** A suspicious order: it fails price-consistency only, so it waits in the review queue. */
export function pendingOrder(timestamp = 1_700_000_500_000): Order {
  return {
    orderId: randomUUID(),
    customerId: 7,
    productId: 'PROD-002',
    quantity: 2,
    unitPriceCents: 1_000,
    totalCents: 2_500,
    timestamp,
    status: 'pending',
  };
}

/** The whole embedded pipeline (minus the generator) with a monitor on a free loopback port. */
export async function startHarness(options: Partial<MonitorOptions> = {}): Promise<Harness> {
  const dir = temporaryDirectory('api-');
  const files = embeddedFiles(dir.path);
  const bus = createEmbeddedEventBus({ file: files.log, pollIntervalMs: 10 });
  const store = createSqliteStore({ file: files.store });
  await bus.ensureTopics(pipelineTopics());
  // One registry for the monitor and the processors, as in a process running them all.
  const metrics = createProcessMetrics(currentBuild({ bus: 'embedded', store: 'sqlite' }));
  const monitor = await buildMonitor({
    bus,
    store,
    now: Date.now,
    newId: randomUUID,
    options: { busType: 'embedded', storeType: 'sqlite', feedPollMs: 20, ...options },
    metrics,
  });
  const shared = {
    bus,
    control: store.control,
    instanceId: 'test',
    logger: silentLogger,
    now: Date.now,
    observeBatch: metrics.observeBatch,
  };
  const queryProcessor = createQueryProcessor({ ...shared, views: store.views });
  const registryProcessor = createRegistryProcessor({
    ...shared,
    registry: store.registry,
    ...(options.ruleLimits === undefined ? {} : { ruleLimits: options.ruleLimits }),
  });
  await queryProcessor.start();
  await registryProcessor.start();
  const base = await monitor.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    base,
    bus,
    store,
    monitor,
    registryProcessor,
    async seed(list) {
      await produceOrders(bus, store.produced, list);
      const last = list.at(-1);
      if (last === undefined) return;
      for (const order of list) {
        await waitFor(
          `${order.orderId} registered`,
          () => store.registry.registered(order.orderId),
          (r) => r !== undefined,
        );
        await waitFor(
          `${order.orderId} in views`,
          () => store.views.timelineEntry(order.orderId),
          (e) => e !== undefined,
        );
      }
    },
    async poison(value, key = 'poison') {
      const [position] = await bus.publish(TOPICS.orders, [{ key, value }]);
      if (position === undefined) throw new Error('publish returned no position');
      const id = deadLetterId(position);
      await waitFor(
        `dead letter ${id} collected from both groups`,
        () => store.deadLetters.deadLetter(id),
        (letter) => letter?.groups.length === 2,
      );
      return id;
    },
    async close() {
      await monitor.app.close();
      await queryProcessor.stop();
      await registryProcessor.stop();
      await bus.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      dir.remove();
    },
  };
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

export async function call(base: string, path: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the test sees the raw text.
  }
  return { status: response.status, headers: response.headers, body };
}

export const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
