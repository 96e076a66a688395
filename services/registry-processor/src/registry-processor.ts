import {
  BUSINESS_RULES,
  GROUPS,
  TOPICS,
  businessRules,
  decodeOrder,
  decodeRegistryMessage,
  encodeValidationMessage,
  isExpiryRequest,
  noMessageTracing,
  validateOrder,
} from '@kafka-monitor/domain';
import type {
  ConsumerHandle,
  ControlStore,
  DecisionRecord,
  EventBus,
  Logger,
  MessageBatch,
  MessageTracing,
  OutgoingMessage,
  RegisteredOrder,
  RegistryStore,
  RuleLimits,
} from '@kafka-monitor/domain';
import {
  ProcessorMeter,
  decodeBatch,
  startHeartbeat,
  publishTraced,
  withSpans,
  type BatchObserver,
  type Heartbeat,
  type HopObserver,
  type SendTrace,
} from '@kafka-monitor/pipeline';
import { expireOverdue, type ReviewExpirySettings } from './review-expiry.js';

export interface RegistryProcessorDeps {
  readonly bus: EventBus;
  readonly registry: RegistryStore;
  readonly control: ControlStore;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly now: () => number;
  readonly onRegistered?: (orders: readonly RegisteredOrder[]) => void;
  readonly onDecided?: (decisions: readonly DecisionRecord[]) => void;
  /** Told how long each batch took and how old its orders were when they were registered. */
  readonly observeBatch?: BatchObserver;
  /** Told, per order, how long its validation and its registration each took (the hops of the registry path). */
  readonly observeHop?: HopObserver;
  /** Traces each validation, its registry message and its registration in the order's trace (off when absent). */
  readonly tracing?: MessageTracing;
  /** REVIEW_EXPIRY and REVIEW_SLA_MINUTES; no expiry when absent. */
  readonly expiry?: ReviewExpirySettings;
  /** Told how many expiry decisions a batch applied (`kafka_monitor_review_expired_total`). */
  readonly countExpired?: (count: number) => void;
  /** The rules' thresholds (RULE_*); the specification's when absent. */
  readonly ruleLimits?: RuleLimits;
}

export interface RegistryProcessor {
  readonly meter: ProcessorMeter;
  start(): Promise<void>;
  /**
   * One expiry pass (the timer runs it every `expiry.everyMs`): decides the overdue orders of the
   * partitions this instance owns; resolves with how many decisions it published.
   */
  expireOverdue(): Promise<number>;
  stop(): Promise<void>;
}

const GROUP = GROUPS.registryProcessor;

/**
 * Validates every order from `orders` and publishes the result to `registry`; consumes `registry` to
 * register orders and apply operators' decisions. Being the only writer of registered orders, and
 * reading them in partition order (key = order id), it cannot let two decisions on one order both win.
 */
export function createRegistryProcessor(deps: RegistryProcessorDeps): RegistryProcessor {
  const meter = new ProcessorMeter(deps.now);
  const logger = deps.logger.child({ processor: GROUP });
  const tracing = deps.tracing ?? noMessageTracing;
  const rules = deps.ruleLimits === undefined ? BUSINESS_RULES : businessRules(deps.ruleLimits);
  let consumer: ConsumerHandle | undefined;
  let heartbeat: Heartbeat | undefined;
  let expiryTimer: ReturnType<typeof setInterval> | undefined;
  let expiring: Promise<number> | undefined;

  async function validateBatch(batch: MessageBatch): Promise<void> {
    const now = deps.now();
    const { entries, poison, spans } = await decodeBatch(batch, {
      bus: deps.bus,
      group: GROUP,
      decode: decodeOrder,
      now,
      tracing,
    });
    const results: OutgoingMessage[] = [];
    const traces: SendTrace[] = [];
    entries.forEach((entry, i) => {
      if (entry.content === null) return;
      results.push({
        key: entry.content.orderId,
        value: encodeValidationMessage(entry.content, validateOrder(entry.content, rules), now),
      });
      // The result continues the trace of the order it validates.
      traces.push({ parent: spans[i]?.headers });
    });
    await withSpans(spans, async () => {
      // Published before the offsets are recorded: a crash in between republishes, and registering is idempotent.
      if (results.length > 0) await publishTraced(deps.bus, tracing, TOPICS.registry, results, traces);
      const source = { consumer: GROUP, topic: batch.topic, partition: batch.partition };
      const counted = entries.map((e) => ({ offset: e.offset, content: e.content === null ? null : (true as const) }));
      const outcome = await deps.registry.recordValidations(source, counted, now);
      if (outcome.applied > 0) meter.record(results.length, poison);
    });
  }

  async function registerBatch(batch: MessageBatch): Promise<void> {
    const startedAt = performance.now();
    const now = deps.now();
    const { entries, poison, spans } = await decodeBatch(batch, {
      bus: deps.bus,
      group: GROUP,
      decode: decodeRegistryMessage,
      now,
      tracing,
    });
    const source = { consumer: GROUP, topic: batch.topic, partition: batch.partition };
    const outcome = await withSpans(spans, () => deps.registry.applyRegistryMessages(source, entries, now));
    if (poison > 0)
      logger.warn({ topic: batch.topic, partition: batch.partition, poison }, 'dead-lettered poison messages');
    if (outcome.registered.length > 0) deps.onRegistered?.(outcome.registered);
    const doneAt = deps.now();
    deps.observeBatch?.(
      GROUP,
      (performance.now() - startedAt) / 1000,
      outcome.registered.map((r) => Math.max(0, doneAt - r.order.timestamp) / 1000),
    );
    if (deps.observeHop !== undefined && outcome.registered.length > 0) {
      // The two hops split the end-to-end latency: the validation's timestamp is when it was decided.
      const validatedAt = new Map<string, number>();
      for (const entry of entries) {
        if (entry.content?.kind === 'validation') validatedAt.set(entry.content.order.orderId, entry.content.timestamp);
      }
      const toValidated: number[] = [];
      const toRegistered: number[] = [];
      for (const r of outcome.registered) {
        const at = validatedAt.get(r.order.orderId);
        if (at === undefined) continue;
        toValidated.push(Math.max(0, at - r.order.timestamp) / 1000);
        toRegistered.push(Math.max(0, doneAt - at) / 1000);
      }
      deps.observeHop('produced_to_validated', toValidated);
      deps.observeHop('validated_to_registered', toRegistered);
    }
    if (outcome.decisions.length > 0) deps.onDecided?.(outcome.decisions);
    const expired = outcome.decisions.filter((d) => d.applied && isExpiryRequest(d.requestId)).length;
    if (expired > 0) deps.countExpired?.(expired);
  }

  function expirePass(): Promise<number> {
    const { expiry } = deps;
    if (expiry === undefined) return Promise.resolve(0);
    // One pass at a time: a slow store must not stack passes up.
    expiring ??= expireOverdue(
      {
        bus: deps.bus,
        registry: deps.registry,
        tracing,
        now: deps.now,
        group: GROUP,
        memberId: () => consumer?.memberId,
      },
      expiry,
    ).finally(() => (expiring = undefined));
    return expiring;
  }

  return {
    meter,
    async start() {
      consumer = await deps.bus.consume({
        group: GROUP,
        topics: [TOPICS.orders, TOPICS.registry],
        handleBatch: (batch) => (batch.topic === TOPICS.orders ? validateBatch(batch) : registerBatch(batch)),
        onError: (error) => logger.error({ err: error }, 'batch failed; retrying'),
      });
      heartbeat = startHeartbeat({ ...deps, processor: GROUP, meter, logger });
      logger.info({ member: consumer.memberId }, 'registry-processor consuming');
      const everyMs = deps.expiry?.policy === 'off' ? 0 : (deps.expiry?.everyMs ?? 0);
      if (everyMs > 0) {
        expiryTimer = setInterval(() => {
          expirePass().then(
            (sent) => {
              if (sent > 0) logger.info({ sent }, 'expired overdue orders');
            },
            (error: unknown) => logger.warn({ err: error }, 'expiry pass failed; next pass retries'),
          );
        }, everyMs);
        expiryTimer.unref();
      }
    },
    expireOverdue: expirePass,
    async stop() {
      clearInterval(expiryTimer);
      await expiring?.catch(() => 0);
      await consumer?.stop();
      await heartbeat?.stop();
      consumer = undefined;
    },
  };
}
