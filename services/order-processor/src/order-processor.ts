import { generateOrder, noMessageTracing, ordersDue, retryDelayMs } from '@kafka-monitor/domain';
import type {
  ControlStore,
  EventBus,
  Logger,
  MessageTracing,
  Order,
  ProducedOrderStore,
  Random,
} from '@kafka-monitor/domain';
import { ProcessorMeter, produceOrders, startHeartbeat, type Heartbeat } from '@kafka-monitor/pipeline';

export interface GeneratorSettings {
  /** Orders per second; 0 switches the generator off. */
  readonly orderRate: number;
  /** Fraction of generated orders that break one business rule. */
  readonly anomalyRate: number;
}

export interface OrderProcessorDeps {
  readonly bus: EventBus;
  readonly produced: ProducedOrderStore;
  readonly control: ControlStore;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly now: () => number;
  readonly random: Random;
  readonly newOrderId: () => string;
  readonly settings: GeneratorSettings;
  /** How often the generator wakes to send what is due; smaller is smoother, larger batches more. */
  readonly tickMs?: number;
  /** How often settings changed by another process (the monitor) are picked up from the store. */
  readonly settingsPollMs?: number;
  /** Wait after a failed send, doubling per failure in a row up to `maxMs`; default 100 ms to 5 s. */
  readonly retryDelay?: { readonly firstMs: number; readonly maxMs: number };
  /** Sends each order under its own span, which starts the order's trace (off when absent). */
  readonly tracing?: MessageTracing;
}

export interface OrderProcessor {
  readonly meter: ProcessorMeter;
  /** Publishes orders to `orders`, then records them as produced; resolves once both are durable. */
  produce(orders: readonly Order[]): Promise<void>;
  settings(): GeneratorSettings;
  /** Changes the rate or anomaly rate now and stores them, so every process sees the same settings. */
  updateSettings(changes: Partial<GeneratorSettings>): Promise<GeneratorSettings>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Most orders one tick sends. Generating and appending them runs without a turn of the event loop, so
 * the monitor's HTTP answers wait for it: 500 keeps that wait to a few tens of milliseconds even when
 * the rate asks for more than the machine can do (10,000 per tick held requests for seconds).
 */
const MAX_ORDERS_PER_TICK = 500;
/** Most orders the generator may owe, so a long pause (a stopped debugger, a swapped laptop) cannot flood the log. */
const MAX_ORDERS_BEHIND = 10_000;

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

  let settingsVersion = 0;
  let heartbeat: Heartbeat | undefined;
  let settingsTimer: NodeJS.Timeout | undefined;

  async function produce(orders: readonly Order[]): Promise<void> {
    await produceOrders(deps.bus, deps.produced, orders, { tracing: deps.tracing ?? noMessageTracing });
    meter.record(orders.length, 0);
  }

  function apply(next: GeneratorSettings): void {
    if (next.orderRate === settings.orderRate && next.anomalyRate === settings.anomalyRate) return;
    settings = { orderRate: next.orderRate, anomalyRate: next.anomalyRate };
    restartPace();
    logger.info({ settings }, 'generator settings changed');
  }

  async function saveSettings(): Promise<void> {
    settingsVersion = Math.max(deps.now(), settingsVersion + 1);
    await deps.control.saveGeneratorSettings({ ...settings, updatedAt: settingsVersion });
  }

  async function pollSettings(): Promise<void> {
    const stored = await deps.control.generatorSettings();
    if (stored === undefined || stored.updatedAt <= settingsVersion) return;
    settingsVersion = stored.updatedAt;
    apply(stored);
  }

  function restartPace(): void {
    paceStartedAt = deps.now();
    sentSincePaceStart = 0;
  }

  /** Sends the orders due now; whether there were any. */
  async function generateDue(): Promise<boolean> {
    const now = deps.now();
    let due = ordersDue(settings.orderRate, now - paceStartedAt, sentSincePaceStart);
    if (due > MAX_ORDERS_BEHIND) {
      logger.warn({ behind: due }, 'generator fell behind; skipping ahead instead of bursting');
      restartPace();
    }
    // What is owed beyond one tick's share goes out over the next ticks, at the same pace.
    due = Math.min(due, MAX_ORDERS_PER_TICK);
    if (due === 0) return false;
    const orders = Array.from({ length: due }, () =>
      generateOrder(deps.random, { orderId: deps.newOrderId(), timestamp: now }, settings.anomalyRate),
    );
    await produce(orders);
    sentSincePaceStart += due;
    return true;
  }

  async function loop(): Promise<void> {
    const retry = deps.retryDelay ?? { firstMs: 100, maxMs: 5_000 };
    let failuresInARow = 0;
    while (running) {
      let waitMs = tickMs;
      try {
        if (await generateDue()) failuresInARow = 0;
      } catch (error) {
        meter.record(0, 1);
        // While the bus or the store is down every tick would fail (and may append orders it could
        // not record): back off instead of retrying a hundred times a second.
        waitMs = retryDelayMs(failuresInARow, retry);
        failuresInARow++;
        logger.error({ err: error, retryInMs: waitMs }, 'generating orders failed; retrying');
        restartPace();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
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
    async updateSettings(changes) {
      apply({ ...settings, ...changes });
      await saveSettings();
      return settings;
    },
    async start() {
      if (running) return;
      running = true;
      // The configured settings win at start; later changes arrive through the store.
      await saveSettings().catch((error: unknown) => logger.warn({ err: error }, 'cannot store generator settings'));
      restartPace();
      loopDone = loop();
      settingsTimer = setInterval(() => {
        pollSettings().catch((error: unknown) => logger.warn({ err: error }, 'cannot read generator settings'));
      }, deps.settingsPollMs ?? 500);
      heartbeat = startHeartbeat({ ...deps, processor: 'order-processor', meter, logger });
      logger.info({ settings }, 'order generator started');
    },
    async stop() {
      running = false;
      clearInterval(settingsTimer);
      wake?.();
      await loopDone;
      await heartbeat?.stop();
    },
  };
}
