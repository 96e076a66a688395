import type { Order, OrderStatus } from '../orders/order.js';
import type { RegistryMessage } from '../messages/registry-message.js';
import type { CollectedDeadLetter, DeadLetterStatus } from '../messages/dead-letter.js';
import type { DeadLetterReasonCount } from '../messages/dead-letter-reason.js';
import type { MessagePosition } from './event-bus.js';
import type { RegisteredOrder, StatusUpdate } from '../registry/registered-order.js';
import type { RuleHitCounts } from '../registry/registry-tally.js';
import type { CustomerView, OrderTotals, ProductView, TimelineEntry } from '../views/views.js';

/** Where a batch of effects came from: the consumer and the log partition it read. */
export interface SourcePartition {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * One consumed message: its offset, and the decoded content or null for a poison message (which
 * counts as an error). Entries of one call are in offset order.
 */
export interface Consumed<T> {
  readonly offset: number;
  readonly content: T | null;
}

/**
 * Where an order's effect on a store came from: the log position that applied it, and when. Rows
 * written before positions were kept have none (null), as do stores that cannot tell the time.
 */
export interface EffectSource {
  readonly position: MessagePosition | null;
  readonly at: number | null;
}

/** Where an order's registration and each of its decisions came from on the log. */
export interface RegistrySources {
  /** Null when the order is not registered (or was registered before positions were kept). */
  readonly registration: EffectSource | null;
  /** Each applied decision of the order's history, by its request id. */
  readonly decisions: ReadonlyMap<string, EffectSource>;
}

export interface ProcessingStats {
  readonly processorId: string;
  readonly processedCount: number;
  readonly errorCount: number;
  readonly lastProcessedTimestamp: number | null;
}

/**
 * Exactly-once effect, shared by every apply method below: the store remembers, per source
 * partition, the next offset it has applied, atomically with the effects. Entries below it are
 * skipped, so a redelivered or replayed batch changes nothing, however often it comes.
 */
export interface ApplyOutcome {
  readonly applied: number;
  readonly skipped: number;
}

export interface ViewStore {
  /**
   * Folds orders into customers, products, timeline and totals, and counts processed and poison
   * entries. An order id seen before (a duplicate in the log) is processed but not counted again.
   */
  applyOrders(source: SourcePartition, entries: readonly Consumed<Order>[], now: number): Promise<ApplyOutcome>;
  totals(): Promise<OrderTotals>;
  topCustomers(limit: number): Promise<readonly CustomerView[]>;
  customer(customerId: number): Promise<CustomerView | undefined>;
  topProducts(limit: number): Promise<readonly ProductView[]>;
  searchProducts(prefix: string, limit: number): Promise<readonly ProductView[]>;
  product(productId: string): Promise<ProductView | undefined>;
  /** Newest first, by order timestamp. */
  timeline(limit: number): Promise<readonly TimelineEntry[]>;
  timelineEntry(orderId: string): Promise<TimelineEntry | undefined>;
  /**
   * The position that counted the order into the views and when, kept for as long as the order is
   * counted (longer than its timeline entry); undefined when the views never counted it.
   */
  appliedSource(orderId: string): Promise<EffectSource | undefined>;
  processingStats(processorId: string): Promise<ProcessingStats | undefined>;
}

/**
 * Which generation of the view tables answers reads and which one the live query processor writes.
 * Equal outside a rebuild; while a rebuild switches, `writes` is the new generation and `reads` stays
 * on the old one until the new one has caught up (see `routeViewGenerations`).
 */
export interface ViewPointer {
  readonly reads: number;
  readonly writes: number;
}

/** Who runs a rebuild of the views, until when: one at a time across every process of a deployment. */
export interface RebuildLease {
  readonly owner: string;
  readonly until: number;
}

/**
 * Generations of the view tables (customers, products, timeline, totals, the counted order ids and
 * the query processor's positions and counters), so the views can be rebuilt from the log into new
 * tables while the current ones keep answering. Guarantees:
 * - `movePointer` is a compare-and-set: of two concurrent moves from the same pointer, one wins.
 * - `pointer({ fresh: true })` sees every move completed before it; otherwise it may be up to a
 *   second old (reads of the API).
 * - a generation's views have the exactly-once effect of `ViewStore.applyOrders` on their own
 *   positions, so a rebuild and the live processor may both apply the same source to one generation.
 * - `acquireLease` succeeds for one owner at a time; a lease not renewed past its `until` is free.
 */
export interface ViewGenerationStore {
  pointer(options?: { readonly fresh?: boolean }): Promise<ViewPointer>;
  movePointer(expected: ViewPointer, next: ViewPointer): Promise<boolean>;
  /** The views of one generation; its calls fail until `create` made its tables. */
  generation(generation: number): ViewStore;
  /** Drops whatever tables the generation has, then creates them empty. */
  create(generation: number): Promise<void>;
  /** Removes the generation's tables; a generation without tables is left as it is. */
  drop(generation: number): Promise<void>;
  /** The next offset of `source` the generation has applied; 0 when it applied none. */
  position(generation: number, source: SourcePartition): Promise<number>;
  /** Takes the lease when it is free, expired or already `owner`'s (a renewal); false otherwise. */
  acquireLease(owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Frees the lease if `owner` holds it. */
  releaseLease(owner: string): Promise<void>;
  /** The lease as last written (it may have expired); undefined when none was ever taken or it was released. */
  lease(): Promise<RebuildLease | undefined>;
}

export interface RegistryTotals {
  readonly registeredCount: number;
  readonly acceptedCount: number;
  readonly deniedCount: number;
  readonly pendingCount: number;
  readonly acceptedRevenueCents: number;
  /** validation_stats: registrations, and how many passed or failed validation. */
  readonly totalValidated: number;
  readonly totalApproved: number;
  readonly totalRejected: number;
}

export interface DecisionRecord {
  readonly requestId: string;
  readonly orderId: string;
  readonly applied: boolean;
  readonly reason: string | null;
  readonly decidedAt: number;
}

export interface RegistryApplyOutcome extends ApplyOutcome {
  readonly registered: readonly RegisteredOrder[];
  readonly decisions: readonly DecisionRecord[];
}

/** One entry of the registry's change feed: an order registered, or its status changed. */
export interface RegistryChange {
  /** Increases with every change; a reader resumes after the last cursor it saw. */
  readonly cursor: number;
  readonly kind: 'registered' | 'status';
  readonly orderId: string;
  readonly status: OrderStatus;
  readonly previousStatus: OrderStatus | null;
  readonly version: number;
  readonly at: number;
  readonly order: Order;
}

export interface RegistryStore {
  /**
   * Applies validation results (register once per order id; a replay changes nothing) and status
   * changes (only a pending order changes; each request id is decided once) in entry order.
   */
  applyRegistryMessages(
    source: SourcePartition,
    entries: readonly Consumed<RegistryMessage>[],
    now: number,
  ): Promise<RegistryApplyOutcome>;
  /** Counts orders the processor validated and published (true) or dead-lettered (false). */
  recordValidations(source: SourcePartition, entries: readonly Consumed<true>[], now: number): Promise<ApplyOutcome>;
  registered(orderId: string): Promise<RegisteredOrder | undefined>;
  /** Newest version first. */
  history(orderId: string): Promise<readonly StatusUpdate[]>;
  /** Newest registration first. */
  byStatus(status: OrderStatus, limit: number): Promise<readonly RegisteredOrder[]>;
  /**
   * Pending orders, earliest registration first, at most `limit`: the head of the review queue, so
   * the orders waiting longest are read first however many are pending.
   */
  oldestPending(limit: number): Promise<readonly RegisteredOrder[]>;
  totals(): Promise<RegistryTotals>;
  /**
   * Per rule, how many registered orders it denied or sent to review, over every registration the
   * store applied (`RegistryTally.ruleHits`, added once per batch with the batch's position, so each
   * registration counts exactly once and the counts survive restarts). Rules never hit are absent.
   */
  ruleHits(): Promise<RuleHitCounts>;
  decision(requestId: string): Promise<DecisionRecord | undefined>;
  /**
   * Retention: deletes up to about `limit` decision records (`decision`) decided before `before`, and
   * answers how many it removed (fewer than `limit` when none older is left). The order's status and
   * history stay; its journey no longer names the decision's log position. A store that keeps them in
   * time buckets deletes whole buckets only, so a record may outlive `before` by one bucket's width.
   */
  expireDecisions(before: number, limit: number): Promise<number>;
  /** Log positions of the order's registration and decisions (one key lookup per decision). */
  sources(orderId: string): Promise<RegistrySources>;
  processingStats(processorId: string): Promise<ProcessingStats | undefined>;
  /** Current status of each known order id; unknown ids are absent from the map. */
  statuses(orderIds: readonly string[]): Promise<ReadonlyMap<string, OrderStatus>>;
  /** Changes after `cursor` in the order they were applied, oldest first. */
  changesSince(cursor: number, limit: number): Promise<readonly RegistryChange[]>;
  /** The cursor of the newest change (0 when there is none). */
  latestCursor(): Promise<number>;
  /**
   * Retention: deletes up to about `limit` changes from the start of the feed that were made before
   * `before`, never the newest, and answers how many it removed (fewer than `limit` when none older is
   * left). Only a prefix goes, as a log's retention: a change kept keeps every later one, so a reader
   * whose cursor is older resumes at the oldest change kept. A store that keeps several changes per row
   * deletes whole rows.
   */
  expireChanges(before: number, limit: number): Promise<number>;
}

/** order_processor.orders: what the order processor produced. Saving an order twice keeps one row. */
export interface ProducedOrderStore {
  saveProduced(orders: readonly Order[]): Promise<void>;
  /** Newest first, by order timestamp. */
  recentProduced(limit: number): Promise<readonly Order[]>;
  produced(orderId: string): Promise<Order | undefined>;
  /**
   * Retention: deletes up to about `limit` produced orders whose timestamp is before `before`, oldest
   * first, and answers how many it deleted (fewer than `limit` when none older is left). A store that
   * keeps them in time buckets deletes whole buckets only, so an order may outlive `before` by up to
   * one bucket's width. Safe to run from several processes at once.
   */
  expireProduced(before: number, limit: number): Promise<number>;
}

export interface IdempotencyRecord {
  readonly key: string;
  readonly orderId: string;
  /** Identifies the request body, so a key reused for a different order can be refused. */
  readonly fingerprint: string;
  readonly createdAt: number;
  /** True when this call created the record, false when it already existed. */
  readonly created: boolean;
}

export interface GeneratorSettingsRecord {
  readonly orderRate: number;
  readonly anomalyRate: number;
  readonly updatedAt: number;
}

/** A running processor instance as it last reported itself. */
export interface InstanceReport {
  readonly processor: string;
  readonly instanceId: string;
  readonly startedAt: number;
  readonly heartbeatAt: number;
  readonly processed: number;
  readonly errors: number;
  readonly throughputPerSecond: number;
  readonly lastProcessedAt: number | null;
}

/** Shared state through which separate processes coordinate: settings, idempotency keys, heartbeats. */
export interface ControlStore {
  /** Records the key with the order id unless it exists; returns the record that holds. */
  reserveIdempotencyKey(key: string, orderId: string, fingerprint: string, now: number): Promise<IdempotencyRecord>;
  releaseIdempotencyKey(key: string, orderId: string): Promise<void>;
  /**
   * Retention: deletes up to about `limit` idempotency keys created before `before`, and answers how
   * many it deleted (fewer than `limit` when none older is left). A store that keeps them in time
   * buckets deletes whole buckets only, so a key may outlive `before` by up to one bucket's width.
   */
  expireIdempotencyKeys(before: number, limit: number): Promise<number>;
  generatorSettings(): Promise<GeneratorSettingsRecord | undefined>;
  saveGeneratorSettings(settings: GeneratorSettingsRecord): Promise<void>;
  heartbeat(report: InstanceReport): Promise<void>;
  /** Instances whose last heartbeat is at or after `since`. */
  liveInstances(since: number): Promise<readonly InstanceReport[]>;
  /** Forgets instances silent since before `before`; safe to call often. */
  pruneInstances(before: number): Promise<void>;
}

/** A dead letter as the store keeps it: one per source position, whichever groups dead-lettered it. */
export interface DeadLetter extends Omit<CollectedDeadLetter, 'group'> {
  /** Consumer groups that dead-lettered the message, sorted. */
  readonly groups: readonly string[];
  readonly status: DeadLetterStatus;
  /** When it was first collected, then when its status last changed. */
  readonly updatedAt: number;
}

/** One audited operator action on a dead letter. */
export interface DeadLetterAction {
  readonly deadLetterId: string;
  readonly action: 'redrive' | 'discard' | 'redrive-failed';
  readonly at: number;
  /** Who asked, as the client named itself, and from which address. */
  readonly actor: string;
  readonly note: string | null;
  /** The payload a redrive sent instead of the original bytes; null when it sent them unchanged. */
  readonly editedPayload: string | null;
  /** Where a redrive appended the message; null for other actions. */
  readonly redrivenTo: MessagePosition | null;
}

export interface ReasonCount {
  readonly reason: string;
  readonly count: number;
}

/** Dead letters collected from the dead-letter topics, their status and the audit trail of actions on them. */
export interface DeadLetterStore {
  /**
   * Keeps each dead letter once by id; the same message dead-lettered by another group adds that
   * group. Recording the same entries again changes nothing (collection is at least once).
   */
  record(letters: readonly CollectedDeadLetter[], now: number): Promise<void>;
  deadLetter(id: string): Promise<DeadLetter | undefined>;
  /** Dead letters of one status (and reason, when given), most recent failure first. */
  list(status: DeadLetterStatus, reason: string | undefined, limit: number): Promise<readonly DeadLetter[]>;
  /** Counts of one status per reason, largest first. */
  reasons(status: DeadLetterStatus): Promise<readonly ReasonCount[]>;
  /**
   * Every dead letter recorded, counted per source topic, reason and status, in no particular order;
   * a resolved dead letter deleted by `expireResolved` still counts in the status it ended in, so the
   * counts of one topic and reason over the statuses are all ever collected. One row per distinct triple: many dead letters share a reason, so this is read
   * at every scrape (`countByReasonClass` folds it into bounded metric labels).
   */
  counts(): Promise<readonly DeadLetterReasonCount[]>;
  /** Moves a dead letter from `from` to `to`; false (and no change) when it is not in `from`. */
  transition(id: string, from: DeadLetterStatus, to: DeadLetterStatus, now: number): Promise<boolean>;
  audit(action: DeadLetterAction): Promise<void>;
  /** The audit trail of one dead letter, oldest first. */
  actions(id: string): Promise<readonly DeadLetterAction[]>;
  /** Dead letters whose message key is `key` (an order id), any status, oldest failure first, at most `limit`. */
  byKey(key: string, limit: number): Promise<readonly DeadLetter[]>;
  /**
   * Retention: deletes up to `limit` resolved dead letters (redriven or discarded) whose status last
   * changed before `before`, with their audit trails, and answers how many it deleted (fewer than
   * `limit` when none older is left). A pending dead letter is never deleted.
   */
  expireResolved(before: number, limit: number): Promise<number>;
}

export type StoreKind = 'sqlite' | 'cassandra';

/** What a store is and how much it holds, read without scanning any table (operators' store card). */
export interface StoreDescription {
  readonly kind: StoreKind;
  /** Bytes the data takes, when the store can tell cheaply; null when it cannot (then `sizeNote` says why). */
  readonly sizeBytes: number | null;
  /** How the size was measured (exact or estimated), or why there is none. */
  readonly sizeNote: string;
}

/** The whole store of one deployment; closing releases its connections. */
export interface Store {
  /** The views of the generation the pointer names (`routeViewGenerations` over `viewGenerations`). */
  readonly views: ViewStore;
  readonly viewGenerations: ViewGenerationStore;
  readonly registry: RegistryStore;
  readonly produced: ProducedOrderStore;
  readonly control: ControlStore;
  readonly deadLetters: DeadLetterStore;
  /** Applies pending schema migrations; safe to call at every start. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /** Kind and size; fails like `ping` when the store is unreachable. */
  describe(): Promise<StoreDescription>;
  close(): Promise<void>;
}
