import {
  GROUPS,
  RegistryFold,
  TOPICS,
  ViewsFold,
  addOrderSnapshot,
  addRegistrySnapshot,
  byRow,
  compareRegistration,
  compareRegistryTotals,
  compareViews,
  decodeOrder,
  decodeRegistryMessage,
} from '@kafka-monitor/domain';
import type {
  AuditReport,
  CutPartition,
  Drift,
  EventBus,
  RegistryStore,
  SnapshotEntry,
  StoredMessage,
  ViewStore,
} from '@kafka-monitor/domain';
import { readFoldedSince, readSnapshot, snapshotHorizons } from './snapshot.js';
import { decodeMessage } from './decode-message.js';

export type AuditPhase = 'catching-up' | 'reading' | 'comparing';

/** How far the audit is: `done` of `total` messages read (reading) or orders compared (comparing). */
export interface AuditProgress {
  readonly phase: AuditPhase;
  readonly done: number;
  readonly total: number;
}

export interface AuditDeps {
  readonly bus: EventBus;
  readonly views: ViewStore;
  readonly registry: RegistryStore;
  readonly now: () => number;
  readonly onProgress?: (progress: AuditProgress) => void;
  /** How long to wait for the processors to consume up to the cut before reading the store (default 30 s). */
  readonly catchUpTimeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Messages per read of the log (default 2,000). */
  readonly readBatch?: number;
  /** Registered orders read from the store at once (default 32). */
  readonly readConcurrency?: number;
  /**
   * Where the store's history starts, per partition of each topic (default 0, the whole log): for a
   * store filled from a known position on, such as a deployment given fresh keyspaces on topics that
   * already held messages. Messages below these offsets are neither read nor expected in the store.
   */
  readonly startOffsets?: { readonly orders?: readonly number[]; readonly registry?: readonly number[] };
}

const ALL_ROWS = 2 ** 31 - 1;
const CATCH_UP_POLL_MS = 250;

async function endOffsets(bus: EventBus, topic: string): Promise<readonly number[]> {
  const info = (await bus.listTopics()).find((t) => t.name === topic);
  if (info === undefined) throw new Error(`topic '${topic}' does not exist; nothing to audit`);
  return info.endOffsets;
}

/**
 * The views are a fold of the whole log. Where retention folded what it deleted into a snapshot, the
 * audit starts from the snapshot and reads the log from its horizon; a range deleted with no snapshot
 * covering it (Kafka's retention, or deletions from before the log kept snapshots) cannot be proved,
 * and comparing against what is left would report every customer and product as drift. Say so
 * instead, naming the partition and its log start.
 */
async function refuseDeletedHistory(
  deps: AuditDeps,
  topic: string,
  ends: readonly number[],
  startOf: (partition: number) => number,
): Promise<void> {
  for (const [partition, end] of ends.entries()) {
    const from = startOf(partition);
    if (from >= end) continue;
    const first = (await deps.bus.read(topic, partition, from, 1))[0];
    if (first !== undefined && first.offset <= from) continue;
    const logStart = first?.offset ?? end;
    // Deleted since the snapshot was read: folded into it on the way (see `scan`).
    if (((await snapshotHorizons(deps.bus, topic))[partition] ?? 0) >= logStart) continue;
    throw new Error(
      `cannot audit: ${topic}/${partition} starts at offset ${logStart}, retention deleted offsets ` +
        `${from} to ${logStart - 1} and no snapshot of the log covers them, so the views cannot be proved ` +
        'from the log (no drift was checked); keep whole logs where the audit must run on a log without ' +
        "snapshots (on Kafka: the topics' retention.ms=-1 and retention.bytes=-1)",
    );
  }
}

/**
 * Reads one partition from `from` up to (not including) `to`, a batch at a time, handing each message
 * to `visit`: only a batch is held, whatever the log's size. The range is below an end offset read
 * earlier, so it exists, or retention deleted part of it since: then it was folded into the topic's
 * snapshot first, and that part is read from there (`visitEntry`). A read that returns nothing is
 * retried briefly (Kafka may answer a fetch empty).
 */
async function scan(
  deps: AuditDeps,
  topic: string,
  partition: number,
  from: number,
  to: number,
  visit: (message: StoredMessage) => void,
  visitEntry: (entry: SnapshotEntry) => void,
  onBatch: (count: number) => void,
): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let offset = from;
  let emptyReads = 0;
  while (offset < to) {
    // Deleted since the horizons were read: folded into the snapshot first, so read from there.
    const folded = await readFoldedSince(deps.bus, topic, partition, offset, to, visitEntry);
    if (folded > offset) {
      onBatch(folded - offset);
      offset = folded;
      continue;
    }
    const messages = await deps.bus.read(topic, partition, offset, Math.min(deps.readBatch ?? 2_000, to - offset));
    const within = messages.filter((m) => m.offset >= offset && m.offset < to);
    // A log with snapshots starting past `offset` was trimmed between the two reads: the next round
    // finds that range in the snapshot. Elsewhere (Kafka) what is there is read, as before.
    const trimmed = deps.bus.snapshotEntries !== undefined && (within[0]?.offset ?? offset) > offset;
    if (within.length === 0 || trimmed) {
      if (++emptyReads > 20) {
        throw new Error(
          trimmed
            ? `cannot audit: retention deleted ${topic}/${partition} from offset ${offset} and no snapshot of the ` +
                'log covers it (no drift was checked)'
            : `${topic}/${partition}: no message at offset ${offset} below ${to}`,
        );
      }
      if (!trimmed) await sleep(50);
      continue;
    }
    emptyReads = 0;
    for (const message of within) visit(message);
    const last = within.at(-1)?.offset ?? offset;
    onBatch(last + 1 - offset);
    offset = last + 1;
  }
}

/** Waits until `group` has committed at least the cut on every partition of its topic; false on timeout. */
async function catchUp(deps: AuditDeps, group: string, cut: readonly CutPartition[]): Promise<boolean> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = deps.now() + (deps.catchUpTimeoutMs ?? 30_000);
  const topics = [...new Set(cut.map((c) => c.topic))];
  for (;;) {
    const lag = (await deps.bus.describeGroup(group, topics)).lag;
    const behind = cut.filter(
      (c) =>
        c.endOffset > 0 &&
        (lag.find((p) => p.topic === c.topic && p.partition === c.partition)?.committedOffset ?? 0) < c.endOffset,
    );
    if (behind.length === 0) return true;
    if (deps.now() >= deadline) return false;
    await sleep(CATCH_UP_POLL_MS);
  }
}

async function inPool<T>(items: Iterable<T>, concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = iterator.next(); next.done !== true; next = iterator.next()) await work(next.value);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * The consistency audit: recomputes the views and the registry from the `orders` and `registry` logs
 * up to a cut (their end offsets when it starts), reads what the store holds, and reports every
 * difference with both values.
 *
 * 1. Cut: the end offsets of both topics. Then it waits (up to `catchUpTimeoutMs`) until the query
 *    processor has consumed `orders` and the registry processor `registry` up to the cut, so what
 *    they had yet to apply is not reported as drift.
 * 2. Streams both logs up to the cut through the domain's folds (`ViewsFold`, `RegistryFold`): first
 *    the snapshot of what retention deleted (horizons read before the cut), then each partition from
 *    its horizon. Memory grows with distinct orders, customers and products, never with messages.
 * 3. Reads the stored views and each registered order the log knows, and compares.
 * 4. Reads what was appended after the cut, up to the end offsets once the store has been read: a row
 *    those messages touch may rightly differ from the cut, so it is counted as skipped, not as drift.
 */
export async function runAudit(deps: AuditDeps): Promise<AuditReport> {
  const startedAt = deps.now();
  const progress = deps.onProgress ?? (() => undefined);
  // Before the cut, so each horizon is at most the log start at the cut.
  const horizons = {
    orders: await snapshotHorizons(deps.bus, TOPICS.orders),
    registry: await snapshotHorizons(deps.bus, TOPICS.registry),
  };
  const [ordersEnd, registryEnd] = [
    await endOffsets(deps.bus, TOPICS.orders),
    await endOffsets(deps.bus, TOPICS.registry),
  ];
  const cutOf = (topic: string, ends: readonly number[]): CutPartition[] =>
    ends.map((endOffset, partition) => ({ topic, partition, endOffset }));
  const ordersCut = cutOf(TOPICS.orders, ordersEnd);
  const registryCut = cutOf(TOPICS.registry, registryEnd);

  const requestedStart = (topic: 'orders' | 'registry', partition: number): number =>
    deps.startOffsets?.[topic]?.[partition] ?? 0;
  /** Where the audit reads the log from: what the snapshot folded comes from the snapshot. */
  const startOf = (topic: 'orders' | 'registry', partition: number): number =>
    Math.max(requestedStart(topic, partition), horizons[topic][partition] ?? 0);
  await refuseDeletedHistory(deps, TOPICS.orders, ordersEnd, (p) => startOf('orders', p));
  await refuseDeletedHistory(deps, TOPICS.registry, registryEnd, (p) => startOf('registry', p));

  progress({ phase: 'catching-up', done: 0, total: 2 });
  const viewsCaughtUp = await catchUp(deps, GROUPS.queryProcessor, ordersCut);
  progress({ phase: 'catching-up', done: 1, total: 2 });
  const registryCaughtUp = await catchUp(deps, GROUPS.registryProcessor, registryCut);

  const total =
    ordersEnd.reduce((s, end, p) => s + Math.max(0, end - startOf('orders', p)), 0) +
    registryEnd.reduce((s, end, p) => s + Math.max(0, end - startOf('registry', p)), 0);
  let done = 0;
  const advance = (count: number): void => {
    done += count;
    progress({ phase: 'reading', done, total });
  };
  progress({ phase: 'reading', done, total });
  const views = new ViewsFold();
  const registry = new RegistryFold();
  const read = { orders: 0, registry: 0, undecodable: 0, snapshot: 0 };
  const foldOrder = (entry: SnapshotEntry): void => {
    if (!addOrderSnapshot(views, entry.value)) read.undecodable++;
    read.snapshot++;
  };
  const foldRegistry = (entry: SnapshotEntry): void => {
    if (!addRegistrySnapshot(registry, entry.value)) read.undecodable++;
    read.snapshot++;
  };
  // The snapshots first: they hold the oldest messages of each partition, the retained log the rest.
  await readSnapshot(deps.bus, TOPICS.orders, horizons.orders, (entry) => {
    if (entry.offset >= requestedStart('orders', entry.partition)) foldOrder(entry);
  });
  await readSnapshot(deps.bus, TOPICS.registry, horizons.registry, (entry) => {
    if (entry.offset >= requestedStart('registry', entry.partition)) foldRegistry(entry);
  });
  for (const { topic, partition, endOffset } of ordersCut) {
    await scan(
      deps,
      topic,
      partition,
      startOf('orders', partition),
      endOffset,
      (message) => {
        const order = decodeMessage(decodeOrder, message);
        if (order === undefined) read.undecodable++;
        else views.add(order);
        read.orders++;
      },
      foldOrder,
      advance,
    );
  }
  for (const { topic, partition, endOffset } of registryCut) {
    await scan(
      deps,
      topic,
      partition,
      startOf('registry', partition),
      endOffset,
      (message) => {
        const decoded = decodeMessage(decodeRegistryMessage, message);
        if (decoded === undefined) read.undecodable++;
        else registry.add(decoded);
        read.registry++;
      },
      foldRegistry,
      advance,
    );
  }

  // The store, read entirely before the second look at the log below.
  const registrations = registry.registrations;
  const [customers, products, totals, registryTotals] = await Promise.all([
    deps.views.topCustomers(ALL_ROWS),
    deps.views.topProducts(ALL_ROWS),
    deps.views.totals(),
    deps.registry.totals(),
  ]);
  const registrationDrifts: Drift[] = [];
  let compared = 0;
  await inPool(registrations, deps.readConcurrency ?? 32, async ([orderId, expected]) => {
    registrationDrifts.push(...compareRegistration(orderId, expected, await deps.registry.registered(orderId)));
    compared++;
    if (compared % 500 === 0 || compared === registrations.size) {
      progress({ phase: 'comparing', done: compared, total: registrations.size });
    }
  });

  // What changed after the cut: appended between the cut and now, so possibly applied already.
  const touched = { customers: new Set<number>(), products: new Set<string>(), orders: new Set<string>() };
  let ordersAfterCut = 0;
  let registryAfterCut = 0;
  /** What a message retention deleted after the cut (read from the snapshot) touched. */
  const touchedBy = {
    add: (order: { customerId: number; productId: string }) => {
      touched.customers.add(order.customerId);
      touched.products.add(order.productId);
    },
    register: (order: { orderId: string }) => touched.orders.add(order.orderId),
    decide: (_requestId: string, orderId: string) => touched.orders.add(orderId),
  };
  const [ordersNow, registryNow] = [
    await endOffsets(deps.bus, TOPICS.orders),
    await endOffsets(deps.bus, TOPICS.registry),
  ];
  for (const { topic, partition, endOffset } of ordersCut) {
    await scan(
      deps,
      topic,
      partition,
      endOffset,
      ordersNow[partition] ?? endOffset,
      (message) => {
        ordersAfterCut++;
        const order = decodeMessage(decodeOrder, message);
        if (order === undefined) return;
        touched.customers.add(order.customerId);
        touched.products.add(order.productId);
      },
      (entry) => {
        ordersAfterCut++;
        addOrderSnapshot(touchedBy, entry.value);
      },
      () => undefined,
    );
  }
  for (const { topic, partition, endOffset } of registryCut) {
    await scan(
      deps,
      topic,
      partition,
      endOffset,
      registryNow[partition] ?? endOffset,
      (message) => {
        registryAfterCut++;
        const decoded = decodeMessage(decodeRegistryMessage, message);
        if (decoded === undefined) return;
        touched.orders.add(decoded.kind === 'validation' ? decoded.order.orderId : decoded.change.orderId);
      },
      (entry) => {
        registryAfterCut++;
        addRegistrySnapshot(touchedBy, entry.value);
      },
      () => undefined,
    );
  }

  const drifts = [
    ...compareViews(views, { customers, products, totals }, { ...touched, totals: ordersAfterCut > 0 }),
    ...registrationDrifts.filter((d) => !touched.orders.has(d.key)),
    ...(registryAfterCut > 0 ? [] : compareRegistryTotals(registry, registryTotals)),
  ].sort(byRow);
  const skippedAfterCut =
    touched.customers.size +
    touched.products.size +
    [...touched.orders].filter((id) => registrations.has(id)).length +
    (ordersAfterCut > 0 ? 1 : 0) +
    (registryAfterCut > 0 ? 1 : 0);
  return {
    startedAt,
    finishedAt: deps.now(),
    cut: [...ordersCut, ...registryCut],
    caughtUp: viewsCaughtUp && registryCaughtUp,
    read,
    compared: {
      customers: new Set([...views.customers.keys(), ...customers.map((c) => c.customerId)]).size,
      products: new Set([...views.products.keys(), ...products.map((p) => p.productId)]).size,
      registeredOrders: registrations.size,
      totals: 2,
    },
    skippedAfterCut,
    drifts,
    clean: drifts.length === 0,
  };
}
