import {
  GROUPS,
  TOPICS,
  assembleJourney,
  decodeOrder,
  decodeRegistryMessage,
  partitionForKey,
} from '@kafka-monitor/domain';
import type {
  EventBus,
  GroupProgress,
  Journey,
  LogSearch,
  LoggedMessage,
  MessagePosition,
  Order,
  PublishedValidation,
  Store,
  StoredMessage,
} from '@kafka-monitor/domain';

export interface TraceOrderDeps {
  readonly bus: EventBus;
  readonly store: Store;
  readonly now: () => number;
}

export interface TraceOrderOptions {
  /** Most messages one search of a partition reads (the cost bound of finding an unprocessed order). */
  readonly maxScan?: number;
  /** Instances silent for longer do not count towards a processor's throughput. */
  readonly instanceTimeoutMs?: number;
}

const DEFAULT_MAX_SCAN = 10_000;
const PAGE = 500;
/** An order has few dead letters (one per poison copy); more are not shown. */
const MAX_DEAD_LETTERS = 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const logged = (m: StoredMessage): LoggedMessage => ({
  position: { topic: m.topic, partition: m.partition, offset: m.offset },
  appendedAt: m.timestamp,
  headers: m.headers,
});

/** The message at a position, when it is still kept and carries the order's key. */
async function readAt(bus: EventBus, at: MessagePosition, key: string): Promise<StoredMessage | undefined> {
  const [message] = await bus.read(at.topic, at.partition, at.offset, 1);
  return message?.offset === at.offset && message.key === key ? message : undefined;
}

/**
 * Finds the first message with the key on one partition, from `fromOffset`, reading at most `maxScan`
 * messages in pages; `matches` may refuse a message with the key (a decision instead of a validation).
 */
async function search(
  bus: EventBus,
  topic: string,
  partition: number,
  fromOffset: number,
  endOffset: number,
  maxScan: number,
  key: string,
  matches: (m: StoredMessage) => boolean = () => true,
): Promise<{ found: StoredMessage | undefined; search: LogSearch | null }> {
  const stop = Math.min(endOffset, fromOffset + maxScan);
  // Nothing unprocessed on the partition: nothing to read, and no search to report.
  if (fromOffset >= endOffset) return { found: undefined, search: null };
  let next = fromOffset;
  while (next < stop) {
    const page = await bus.read(topic, partition, next, Math.min(PAGE, stop - next));
    if (page.length === 0) break;
    for (const m of page) {
      if (m.offset >= stop) break;
      if (m.key === key && matches(m)) {
        return {
          found: m,
          search: { topic, partition, fromOffset, toOffset: m.offset + 1, truncated: false, found: true },
        };
      }
    }
    next = (page.at(-1)?.offset ?? next) + 1;
  }
  return {
    found: undefined,
    search: { topic, partition, fromOffset, toOffset: stop, truncated: stop < endOffset, found: false },
  };
}

function publishedValidation(message: StoredMessage): PublishedValidation | null {
  const decoded = decodeRegistryMessage(decoder.decode(message.value));
  if (!decoded.ok || decoded.value.kind !== 'validation') return null;
  const { result, timestamp } = decoded.value;
  return { message: logged(message), validatedAt: timestamp, passed: result.passed, rules: result.rules };
}

const isValidation = (m: StoredMessage) => publishedValidation(m) !== null;

/**
 * Lag of the processors on every partition they read, with each processor's throughput for an
 * estimate; `ofOrder` keeps the partitions of one order (the key decides them).
 */
async function readProgress(deps: TraceOrderDeps, instanceTimeoutMs: number): Promise<GroupProgress[]> {
  const wanted = [
    { processor: GROUPS.queryProcessor, topics: [TOPICS.orders] },
    { processor: GROUPS.registryProcessor, topics: [TOPICS.orders, TOPICS.registry] },
  ];
  const [described, instances] = await Promise.all([
    Promise.all(wanted.map((w) => deps.bus.describeGroup(w.processor, w.topics))),
    deps.store.control.liveInstances(deps.now() - instanceTimeoutMs),
  ]);
  return wanted.flatMap((w, i) => {
    const live = instances.filter((r) => r.processor === w.processor);
    const speed = live.length === 0 ? null : live.reduce((sum, r) => sum + r.throughputPerSecond, 0);
    return (described[i]?.lag ?? []).map((lag) => ({ processor: w.processor, lag, throughputPerSecond: speed }));
  });
}

const ofOrder = (
  progress: readonly GroupProgress[],
  partitions: { readonly orders: number | undefined; readonly registry: number | undefined },
) =>
  progress.filter((p) => p.lag.partition === (p.lag.topic === TOPICS.orders ? partitions.orders : partitions.registry));

/**
 * One order's journey: what each store kept about it (with the log position of each effect), the
 * messages read back from the log at those positions, and, for an order no store has processed yet,
 * a search of its partition. Undefined when neither the stores nor the log know the order.
 *
 * Cost: about ten key lookups, one read per known position, and for an unprocessed order a search
 * of one partition (the key decides which) from the oldest offset its consumers have not processed,
 * bounded by `maxScan` messages.
 */
export async function traceOrder(
  deps: TraceOrderDeps,
  orderId: string,
  options: TraceOrderOptions = {},
): Promise<Journey | undefined> {
  const { bus, store } = deps;
  const maxScan = options.maxScan ?? DEFAULT_MAX_SCAN;
  // One round of independent lookups: every later read depends on their answers.
  const [produced, applied, registered, history, sources, letters, topics, allProgress] = await Promise.all([
    store.produced.produced(orderId),
    store.views.appliedSource(orderId),
    store.registry.registered(orderId),
    store.registry.history(orderId),
    store.registry.sources(orderId),
    store.deadLetters.byKey(orderId, MAX_DEAD_LETTERS),
    bus.listTopics(),
    readProgress(deps, options.instanceTimeoutMs ?? 10_000),
  ]);
  const deadLetters = await Promise.all(
    letters.map(async (letter) => ({ letter, actions: await store.deadLetters.actions(letter.id) })),
  );
  const keyBytes = encoder.encode(orderId);
  const topicOf = (name: string) => topics.find((t) => t.name === name);
  const partitionOf = (name: string) => {
    const topic = topicOf(name);
    return topic === undefined || topic.partitions === 0 ? undefined : partitionForKey(keyBytes, topic.partitions);
  };
  const partitions = { orders: partitionOf(TOPICS.orders), registry: partitionOf(TOPICS.registry) };
  const progress = ofOrder(allProgress, partitions);
  const searches: LogSearch[] = [];
  const endOf = (topic: string, partition: number) => topicOf(topic)?.endOffsets[partition] ?? 0;
  /** Where a search for what the slowest consumer of `topic` has not processed starts. */
  const oldestUnprocessed = (topic: string) =>
    Math.min(...progress.filter((p) => p.lag.topic === topic).map((p) => p.lag.committedOffset));

  const registration = sources.registration?.position ?? null;
  // Read alongside the order's message; a failure surfaces where it is awaited.
  const registryMessage = registration === null ? undefined : readAt(bus, registration, orderId);
  registryMessage?.catch(() => undefined);

  let ordersMessage: StoredMessage | undefined;
  const ordersPosition = applied?.position ?? deadLetters.find((d) => d.letter.topic === TOPICS.orders)?.letter ?? null;
  if (ordersPosition !== null) {
    ordersMessage = await readAt(bus, ordersPosition, orderId);
  } else if (partitions.orders !== undefined) {
    const from = oldestUnprocessed(TOPICS.orders);
    const found = await search(
      bus,
      TOPICS.orders,
      partitions.orders,
      Number.isFinite(from) ? from : 0,
      endOf(TOPICS.orders, partitions.orders),
      maxScan,
      orderId,
    );
    ordersMessage = found.found;
    if (found.search !== null) searches.push(found.search);
  }

  /** Whether the registry processor has read the order on `orders`, so its result may be on `registry`. */
  const validatedYet = () => {
    // Not found on `orders`: only an order recorded as produced is worth a second search (an unknown id
    // would double the cost of its 404).
    if (ordersMessage === undefined) return produced !== undefined;
    const at = ordersMessage.offset;
    return progress.some(
      (p) => p.processor === GROUPS.registryProcessor && p.lag.topic === TOPICS.orders && p.lag.committedOffset > at,
    );
  };
  let validation: PublishedValidation | null = null;
  if (registryMessage !== undefined) {
    const message = await registryMessage;
    validation = message === undefined ? null : publishedValidation(message);
  } else if (registered === undefined && partitions.registry !== undefined && validatedYet()) {
    const from = oldestUnprocessed(TOPICS.registry);
    const found = await search(
      bus,
      TOPICS.registry,
      partitions.registry,
      Number.isFinite(from) ? from : 0,
      endOf(TOPICS.registry, partitions.registry),
      maxScan,
      orderId,
      isValidation,
    );
    validation = found.found === undefined ? null : publishedValidation(found.found);
    if (found.search !== null) searches.push(found.search);
  }

  let order: Order | null = produced ?? registered?.order ?? null;
  if (order === null && ordersMessage !== undefined) {
    const decoded = decodeOrder(decoder.decode(ordersMessage.value));
    if (decoded.ok) order = decoded.value;
  }
  const known =
    produced !== undefined ||
    applied !== undefined ||
    registered !== undefined ||
    ordersMessage !== undefined ||
    validation !== null ||
    deadLetters.length > 0;
  if (!known) return undefined;
  return assembleJourney({
    orderId,
    producedRecorded: produced !== undefined,
    order,
    ordersMessage: ordersMessage === undefined ? null : logged(ordersMessage),
    applied: applied ?? null,
    validation,
    registered: registered ?? null,
    registration: sources.registration,
    history,
    decisions: sources.decisions,
    deadLetters,
    progress,
    searches,
  });
}
