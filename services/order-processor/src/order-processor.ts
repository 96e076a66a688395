import { TOPICS, encodeOrder, generateOrder, ordersDue } from '@kafka-monitor/domain';
import type { EventBus, Logger, Order, ProducedOrderStore, Random } from '@kafka-monitor/domain';
import { ProcessorMeter } from '@kafka-monitor/pipeline';

export interface GeneratorSettings {
  /** Orders per second; 0 switches the generator off. */
  readonly orderRate: number;
  /** Fraction of generated orders that break one business rule. */
  readonly anomalyRate: number;
}

export interface OrderProcessorDeps {
  readonly bus: EventBus;
  readonly produced: ProducedOrderStore;
  readonly logger: Logger;
  readonly now: () => number;
  readonly random: Random;
  readonly newOrderId: () => string;
  readonly settings: GeneratorSettings;
  /** How often the generator wakes to send what is due; smaller is smoother, larger batches more. */
  readonly tickMs?: number;
}

export interface OrderProcessor {
  readonly meter: ProcessorMeter;
  /** Publishes orders to `orders`, then records them as produced; resolves once both are durable. */
  produce(orders: readonly Order[]): Promise<void>;
  settings(): GeneratorSettings;
  updateSettings(changes: Partial<GeneratorSettings>): GeneratorSettings;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Most orders one tick may send, so a long pause (a stopped debugger, a swapped laptop) cannot flood the log. */
const MAX_ORDERS_PER_TICK = 10_000;

export function createOrderProcessor(deps: OrderProcessorDeps): OrderProcessor {
  const meter = new ProcessorMeter(deps.now);
  const logger = deps.logger.child({ processor: 'order-processor' });
  const tickMs = deps.tickMs ?? 10;
  let settings = deps.settings;
  let paceStartedAt = deps.now();
  let sentSincePaceStart = 0;
  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;

  async function produce(orders: readonly Order[]): Promise<void> {
    if (orders.length === 0) return;
    await deps.bus.publish(
      TOPICS.orders,
      orders.map((order) => ({ key: order.orderId, value: encodeOrder(order) })),
    );
    await deps.produced.saveProduced(orders);
    meter.record(orders.length, 0);
  }

  function restartPace(): void {
    paceStartedAt = deps.now();
    sentSincePaceStart = 0;
  }

  async function generateDue(): Promise<void> {
    const now = deps.now();
    let due = ordersDue(settings.orderRate, now - paceStartedAt, sentSincePaceStart);
    if (due > MAX_ORDERS_PER_TICK) {
      logger.warn({ behind: due }, 'generator fell behind; skipping ahead instead of bursting');
      restartPace();
      due = Math.min(due, MAX_ORDERS_PER_TICK);
    }
    if (due === 0) return;
    const orders = Array.from({ length: due }, () =>
      generateOrder(deps.random, { orderId: deps.newOrderId(), timestamp: now }, settings.anomalyRate),
    );
    await produce(orders);
    sentSincePaceStart += due;
  }

  async function loop(): Promise<void> {
    while (running) {
      try {
        await generateDue();
      } catch (error) {
        meter.record(0, 1);
        logger.error({ err: error }, 'generating orders failed; retrying');
        restartPace();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, tickMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  return {
    meter,
    produce,
    settings: () => settings,
    updateSettings(changes) {
      settings = { ...settings, ...changes };
      restartPace();
      logger.info({ settings }, 'generator settings changed');
      return settings;
    },
    start() {
      if (running) return Promise.resolve();
      running = true;
      restartPace();
      loopDone = loop();
      logger.info({ settings }, 'order generator started');
      return Promise.resolve();
    },
    async stop() {
      running = false;
      wake?.();
      await loopDone;
    },
  };
}
