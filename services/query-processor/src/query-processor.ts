import { GROUPS, TOPICS, decodeOrder, noMessageTracing } from '@kafka-monitor/domain';
import type {
  ConsumerHandle,
  ControlStore,
  EventBus,
  Logger,
  MessageBatch,
  MessageTracing,
  Order,
  ViewStore,
} from '@kafka-monitor/domain';
import {
  ProcessorMeter,
  decodeBatch,
  startHeartbeat,
  withSpans,
  type BatchObserver,
  type Heartbeat,
} from '@kafka-monitor/pipeline';

export interface QueryProcessorDeps {
  readonly bus: EventBus;
  readonly views: ViewStore;
  readonly control: ControlStore;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** Told about the orders at offsets applied for the first time (for the live stream). */
  readonly onApplied?: (orders: readonly Order[]) => void;
  /** Told how long each batch took and how old its orders were when their effect became durable. */
  readonly observeBatch?: BatchObserver;
  /** Traces each order's view apply as a child of its send (off when absent). */
  readonly tracing?: MessageTracing;
}

export interface QueryProcessor {
  readonly meter: ProcessorMeter;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Consumes `orders` and folds each batch into the views, exactly once per offset. */
export function createQueryProcessor(deps: QueryProcessorDeps): QueryProcessor {
  const meter = new ProcessorMeter(deps.now);
  const logger = deps.logger.child({ processor: GROUPS.queryProcessor });
  let consumer: ConsumerHandle | undefined;
  let heartbeat: Heartbeat | undefined;

  async function handleBatch(batch: MessageBatch): Promise<void> {
    const startedAt = performance.now();
    const now = deps.now();
    const { entries, poison, spans } = await decodeBatch(batch, {
      bus: deps.bus,
      group: GROUPS.queryProcessor,
      decode: decodeOrder,
      now,
      tracing: deps.tracing ?? noMessageTracing,
    });
    const source = { consumer: GROUPS.queryProcessor, topic: batch.topic, partition: batch.partition };
    const outcome = await withSpans(spans, () => deps.views.applyOrders(source, entries, now));
    if (poison > 0) logger.warn({ partition: batch.partition, poison }, 'dead-lettered poison messages');
    if (outcome.applied > 0) {
      meter.record(outcome.applied - poison, poison);
      const applied = entries
        .slice(entries.length - outcome.applied)
        .flatMap((e) => (e.content === null ? [] : [e.content]));
      deps.onApplied?.(applied);
      const doneAt = deps.now();
      deps.observeBatch?.(
        GROUPS.queryProcessor,
        (performance.now() - startedAt) / 1000,
        applied.map((o) => Math.max(0, doneAt - o.timestamp) / 1000),
      );
    }
  }

  return {
    meter,
    async start() {
      consumer = await deps.bus.consume({
        group: GROUPS.queryProcessor,
        topics: [TOPICS.orders],
        handleBatch,
        onError: (error) => logger.error({ err: error }, 'batch failed; retrying'),
      });
      heartbeat = startHeartbeat({ ...deps, processor: GROUPS.queryProcessor, meter, logger });
      logger.info({ member: consumer.memberId }, 'query-processor consuming');
    },
    async stop() {
      await consumer?.stop();
      await heartbeat?.stop();
      consumer = undefined;
    },
  };
}
