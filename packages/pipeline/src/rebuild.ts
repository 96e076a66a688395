import { GROUPS, TOPICS, decodeOrder, orderOfSnapshot } from '@kafka-monitor/domain';
import type {
  Consumed,
  ControlStore,
  EventBus,
  Order,
  RebuildLease,
  SnapshotEntry,
  SourcePartition,
  StoredMessage,
  ViewGenerationStore,
  ViewPointer,
} from '@kafka-monitor/domain';
import { readFoldedSince, readSnapshot, snapshotHorizons } from './snapshot.js';

/**
 * One partition of `orders` as the rebuild replays it from the log: from the snapshot's horizon (0
 * without one) to the cut; what retention folded below the horizon comes from the snapshot.
 */
export interface RebuildPartitionPlan {
  readonly topic: string;
  readonly partition: number;
  readonly fromOffset: number;
  readonly toOffset: number;
  readonly messages: number;
}

export interface RebuildPlan {
  /** The generation answering now, and the one the rebuild fills. */
  readonly fromGeneration: number;
  readonly toGeneration: number;
  /** True when an interrupted rebuild's switch is finished instead of starting a new generation. */
  readonly resumes: boolean;
  readonly partitions: readonly RebuildPartitionPlan[];
  /** Messages replayed from the log (the partitions' sum). */
  readonly messages: number;
  /** Orders applied from the snapshot of what retention deleted, before the log (0 when resuming). */
  readonly snapshotEntries: number;
  /** Messages per second the estimate assumes, and where that figure comes from. */
  readonly ratePerSecond: number | null;
  readonly rateBasis: 'last rebuild' | 'query-processor throughput' | 'unknown';
  readonly estimatedSeconds: number | null;
  /** The rebuild running now (its lease), if any: a new one is refused until it ends. */
  readonly running: RebuildLease | null;
}

export type RebuildPhase = 'replaying' | 'catching-up' | 'switching' | 'dropping' | 'done';

/** `done` of `total` messages applied to the new generation in this phase. */
export interface RebuildProgress {
  readonly phase: RebuildPhase;
  readonly done: number;
  readonly total: number;
}

export interface RebuildReport {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly plan: RebuildPlan;
  /** Messages the rebuild applied to the new generation: the plan's, then those appended since. */
  readonly replayed: number;
  readonly caughtUp: number;
  /** Orders applied from the snapshot of what retention deleted, before the log. */
  readonly fromSnapshot: number;
  /** Messages (and snapshot entries) applied per second, over the whole rebuild. */
  readonly ratePerSecond: number;
}

/** Asked for while another rebuild holds the lease (the API answers 409 with it). */
export class RebuildRunningError extends Error {
  readonly code = 'REBUILD_RUNNING';
  readonly lease: RebuildLease | null;
  constructor(lease: RebuildLease | null) {
    super(
      lease === null
        ? 'a rebuild of the views is already running'
        : `a rebuild of the views is already running (${lease.owner}, lease until ${new Date(lease.until).toISOString()})`,
    );
    this.name = 'RebuildRunningError';
    this.lease = lease;
  }
}

export interface RebuildDeps {
  readonly bus: EventBus;
  readonly generations: ViewGenerationStore;
  /** For the estimate: the live query processors' throughput from their heartbeats. */
  readonly control?: ControlStore;
  readonly now: () => number;
  /** Who runs it, in the lease (process and instance). */
  readonly owner: string;
  /** Messages per second of the previous rebuild, a better estimate than the live throughput. */
  readonly lastRatePerSecond?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Messages per read of the log and per apply (default 2,000). */
  readonly readBatch?: number;
  /** How long the lease lasts without renewal (default 30 s); it is renewed at least every third of it. */
  readonly leaseTtlMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEARTBEAT_WINDOW_MS = 10_000;
/** Catch-up rounds before the switch at most: each starts from the live end the previous one saw. */
const CATCH_UP_ROUNDS = 3;

/** A snapshot entry as the query processor would have taken its message (the snapshot keeps only orders). */
function consumedEntry(entry: SnapshotEntry): Consumed<Order> {
  return { offset: entry.offset, content: orderOfSnapshot(entry.value) ?? null };
}

/** The message as the query processor takes it: an order, or null for what it dead-letters. */
function consumedOrder(message: StoredMessage): Consumed<Order> {
  let text: string;
  try {
    text = utf8.decode(message.value);
  } catch {
    return { offset: message.offset, content: null };
  }
  const decoded = decodeOrder(text);
  return { offset: message.offset, content: decoded.ok ? decoded.value : null };
}

async function ordersEnd(bus: EventBus): Promise<readonly number[]> {
  const info = (await bus.listTopics()).find((t) => t.name === TOPICS.orders);
  if (info === undefined) throw new Error(`topic '${TOPICS.orders}' does not exist; nothing to rebuild`);
  return info.endOffsets;
}

const sourceOf = (partition: number): SourcePartition => ({
  consumer: GROUPS.queryProcessor,
  topic: TOPICS.orders,
  partition,
});

async function estimateRate(deps: RebuildDeps): Promise<Pick<RebuildPlan, 'ratePerSecond' | 'rateBasis'>> {
  if (deps.lastRatePerSecond !== undefined && deps.lastRatePerSecond > 0) {
    return { ratePerSecond: deps.lastRatePerSecond, rateBasis: 'last rebuild' };
  }
  const live = (await deps.control?.liveInstances(deps.now() - HEARTBEAT_WINDOW_MS)) ?? [];
  const rate = live
    .filter((i) => i.processor === GROUPS.queryProcessor)
    .reduce((sum, i) => sum + i.throughputPerSecond, 0);
  return rate > 0
    ? { ratePerSecond: rate, rateBasis: 'query-processor throughput' }
    : { ratePerSecond: null, rateBasis: 'unknown' };
}

function targetOf(pointer: ViewPointer): { from: number; to: number; resumes: boolean } {
  return pointer.reads === pointer.writes
    ? { from: pointer.reads, to: pointer.reads + 1, resumes: false }
    : { from: pointer.reads, to: pointer.writes, resumes: true };
}

/**
 * What a rebuild would do now: per partition of `orders`, the offsets it replays from the log (from
 * the snapshot's horizon, 0 without one, up to its end offsets, the cut) and an estimate of the time
 * (of the log's part; the snapshot's entries come first). Reads only.
 */
export async function planRebuild(deps: RebuildDeps): Promise<RebuildPlan> {
  const [pointer, horizons, ends, lease] = [
    await deps.generations.pointer({ fresh: true }),
    await snapshotHorizons(deps.bus, TOPICS.orders),
    await ordersEnd(deps.bus),
    await deps.generations.lease(),
  ];
  const { from, to, resumes } = targetOf(pointer);
  const partitions = await Promise.all(
    ends.map(async (toOffset, partition) => {
      const fromOffset = resumes
        ? Math.min(toOffset, await deps.generations.position(to, sourceOf(partition)))
        : Math.min(toOffset, horizons[partition] ?? 0);
      return { topic: TOPICS.orders, partition, fromOffset, toOffset, messages: toOffset - fromOffset };
    }),
  );
  const messages = partitions.reduce((sum, p) => sum + p.messages, 0);
  const snapshotEntries = resumes ? 0 : ((await deps.bus.snapshotEntryCount?.(TOPICS.orders)) ?? 0);
  const rate = await estimateRate(deps);
  return {
    fromGeneration: from,
    toGeneration: to,
    resumes,
    partitions,
    messages,
    snapshotEntries,
    ...rate,
    estimatedSeconds: rate.ratePerSecond === null ? null : Math.ceil((messages + snapshotEntries) / rate.ratePerSecond),
    running: lease !== undefined && lease.until >= deps.now() ? lease : null,
  };
}

/**
 * Rebuilds the views from the `orders` log into a new generation of tables while the current one
 * keeps answering, then switches. Only one runs at a time (the store's lease; `RebuildRunningError`).
 *
 * 1. Plan: the end offsets of `orders` are the cut; a new generation's tables are created empty.
 * 2. Replay: each partition up to the cut, a batch at a time (memory holds one batch), through the
 *    same `applyOrders` the live processor uses, as the query processor's source: the new
 *    generation's positions then say how far it is, and applying a message twice changes nothing.
 * 3. Catch up: to the live end, a few rounds, while the live processor keeps writing the old one.
 * 4. Switch writes: the pointer sends the live processor's batches to the new generation. Batches
 *    past what it has applied are refused (`routeViewGenerations`) and retried by the consumer.
 * 5. Catch up once more to the end read after that switch: every message the live processor applied
 *    only to the old generation was on the log by then, and nothing later went to the old one.
 * 6. Switch reads (one compare-and-set), then drop the old generation's tables.
 *
 * A rebuild interrupted after step 4 left the pointer split: the next one resumes at step 5.
 */
export async function runRebuild(deps: RebuildDeps): Promise<RebuildReport> {
  const { generations } = deps;
  const ttl = deps.leaseTtlMs ?? 30_000;
  const progress = deps.onProgress ?? (() => undefined);
  const startedAt = deps.now();
  if (!(await generations.acquireLease(deps.owner, startedAt, ttl))) {
    throw new RebuildRunningError((await generations.lease()) ?? null);
  }
  let renewedAt = startedAt;
  const renew = async (): Promise<void> => {
    if (deps.now() - renewedAt < ttl / 3) return;
    renewedAt = deps.now();
    if (!(await generations.acquireLease(deps.owner, renewedAt, ttl))) {
      throw new Error('the rebuild lost its lease (it was not renewed in time); run it again to resume');
    }
  };
  try {
    // The lease read by the plan is this rebuild's own.
    const plan: RebuildPlan = { ...(await planRebuild(deps)), running: null };
    const { fromGeneration: from, toGeneration: to } = plan;
    const views = generations.generation(to);
    const batch = deps.readBatch ?? 2_000;
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

    /** Applies every partition from the new generation's position up to `ends`; returns the messages applied. */
    const replayTo = async (ends: readonly number[], phase: RebuildPhase): Promise<number> => {
      const starts = await Promise.all(ends.map((_, p) => generations.position(to, sourceOf(p))));
      const total = ends.reduce((sum, end, p) => sum + Math.max(0, end - (starts[p] ?? 0)), 0);
      let done = 0;
      progress({ phase, done, total });
      for (const [partition, end] of ends.entries()) {
        let offset = starts[partition] ?? 0;
        let emptyReads = 0;
        while (offset < end) {
          await renew();
          // Deleted since the rebuild began (or, right after the seed, left out of the snapshot as a
          // repeated or undecodable order): folded into the snapshot first, so applied from there.
          const folded: SnapshotEntry[] = [];
          const foldedUpTo = await readFoldedSince(deps.bus, TOPICS.orders, partition, offset, end, (e) => {
            folded.push(e);
          });
          if (foldedUpTo > offset) {
            if (folded.length > 0) await views.applyOrders(sourceOf(partition), folded.map(consumedEntry), deps.now());
            done += foldedUpTo - offset;
            offset = foldedUpTo;
            progress({ phase, done, total });
            continue;
          }
          const messages = (
            await deps.bus.read(TOPICS.orders, partition, offset, Math.min(batch, end - offset))
          ).filter((m) => m.offset >= offset && m.offset < end);
          // A log with snapshots starting past `offset` was trimmed between the two reads: the next
          // round finds that range in the snapshot. Elsewhere (Kafka) what is there is read, as before.
          const trimmed = deps.bus.snapshotEntries !== undefined && (messages[0]?.offset ?? offset) > offset;
          if (messages.length === 0 || trimmed) {
            // Kafka may answer a fetch empty; the range is below an end offset read before, so it exists.
            if (++emptyReads > 20) {
              throw new Error(
                trimmed
                  ? `cannot rebuild: retention deleted orders/${partition} from offset ${offset} and no snapshot ` +
                      'of the log covers it, so the views cannot be recomputed from the log (nothing was switched)'
                  : `orders/${partition}: no message at offset ${offset} below ${end}`,
              );
            }
            if (!trimmed) await sleep(50);
            continue;
          }
          emptyReads = 0;
          await views.applyOrders(sourceOf(partition), messages.map(consumedOrder), deps.now());
          const next = (messages.at(-1)?.offset ?? offset) + 1;
          done += next - offset;
          offset = next;
          progress({ phase, done, total });
        }
      }
      return done;
    };

    /**
     * The new generation starts from the snapshot: its entries, the first occurrence of each order
     * retention deleted, applied as the query processor applied their messages, at their positions.
     * Then the log is replayed from there; a position between the last entry and the horizon only
     * re-reads what the snapshot left out because it changed nothing (a repeated or undecodable order).
     */
    const seed = async (at: RebuildPlan): Promise<number> => {
      const horizons = at.partitions.map((p) => p.fromOffset);
      let pending: SnapshotEntry[] = [];
      let done = 0;
      const flush = async (): Promise<void> => {
        const head = pending[0];
        if (head === undefined) return;
        await renew();
        await views.applyOrders(sourceOf(head.partition), pending.map(consumedEntry), deps.now());
        done += pending.length;
        pending = [];
        progress({ phase: 'replaying', done, total: Math.max(done, at.snapshotEntries) });
      };
      progress({ phase: 'replaying', done, total: at.snapshotEntries });
      await readSnapshot(
        deps.bus,
        TOPICS.orders,
        horizons,
        async (entry) => {
          if (pending.length >= batch || (pending[0] !== undefined && pending[0].partition !== entry.partition)) {
            await flush();
          }
          pending.push(entry);
        },
        batch,
      );
      await flush();
      return done;
    };

    let fromSnapshot = 0;
    if (!plan.resumes) {
      await generations.create(to);
      fromSnapshot = await seed(plan);
    }
    const replayed = await replayTo(
      plan.partitions.map((p) => p.toOffset),
      'replaying',
    );
    let caughtUp = 0;
    if (!plan.resumes) {
      for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
        const applied = await replayTo(await ordersEnd(deps.bus), 'catching-up');
        caughtUp += applied;
        if (applied < batch) break;
      }
      if (!(await generations.movePointer({ reads: from, writes: from }, { reads: from, writes: to }))) {
        throw new Error('the views pointer moved while the rebuild ran; nothing was switched, run it again');
      }
    }
    caughtUp += await replayTo(await ordersEnd(deps.bus), 'switching');
    if (!(await generations.movePointer({ reads: from, writes: to }, { reads: to, writes: to }))) {
      throw new Error('the views pointer moved while the rebuild switched; run it again to resume');
    }
    progress({ phase: 'dropping', done: 0, total: 1 });
    await generations.drop(from);
    const finishedAt = deps.now();
    progress({ phase: 'done', done: 1, total: 1 });
    return {
      startedAt,
      finishedAt,
      plan,
      replayed,
      caughtUp,
      fromSnapshot,
      ratePerSecond: Math.round(((fromSnapshot + replayed + caughtUp) * 1000) / Math.max(1, finishedAt - startedAt)),
    };
  } finally {
    await generations.releaseLease(deps.owner).catch(() => undefined);
  }
}
