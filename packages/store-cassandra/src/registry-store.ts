import { decideStatus, registerOrder } from '@kafka-monitor/domain';
import type {
  EffectSource,
  Consumed,
  RegistryMessage,
  DecisionRecord,
  Order,
  OrderStatus,
  RegisteredOrder,
  RegistryChange,
  RegistryStore,
  RegistryTotals,
  RuleResult,
  SourcePartition,
  StatusChange,
  StatusUpdate,
  ValidationMessage,
} from '@kafka-monitor/domain';
import { bucketMarks, expireBuckets, newestFirst, oldestFirst } from './buckets.js';
import { createChangeFeed, type FeedChange } from './change-feed.js';
import { bool, bucketOf, num, optStr, orderFromRow, positionOfToken, positionToken, str } from './rows.js';
import { CLAIM_SETTINGS, claimsPerOrder, type Keyspaces } from './schema.js';
import { createOrderClaims, type ClaimResult } from './claims.js';
import type { Row, Session } from './session.js';
import { MAX_IN_KEYS, QUERIES_IN_FLIGHT, chunksOf, forEachLimited, mapLimited } from './concurrency.js';
import { sumStats } from './view-store.js';
import { writeRows, type PartitionWrite } from './writes.js';

const GROUP = 'registry';

/** Orders of one batch applied at once: enough to hide LWT round trips, few enough not to swamp a node. */
const ORDERS_IN_FLIGHT = 16;
export const REGISTRY_PROCESSOR_ID = 'registry-processor';
const DAY_MS = 86_400_000;
const LOST: ClaimResult = { kind: 'lost' };

interface Shard {
  readonly nextOffset: number;
  readonly processed: number;
  readonly errors: number;
  readonly registered: number;
  readonly pending: number;
  readonly accepted: number;
  readonly denied: number;
  readonly revenue: number;
  readonly validated: number;
  readonly approved: number;
  readonly rejected: number;
}

const EMPTY_SHARD: Shard = {
  nextOffset: 0,
  processed: 0,
  errors: 0,
  registered: 0,
  pending: 0,
  accepted: 0,
  denied: 0,
  revenue: 0,
  validated: 0,
  approved: 0,
  rejected: 0,
};

const shardFromRow = (r: Row): Shard => ({
  nextOffset: num(r, 'next_offset'),
  processed: num(r, 'processed_count'),
  errors: num(r, 'error_count'),
  registered: num(r, 'registered_count'),
  pending: num(r, 'pending_count'),
  accepted: num(r, 'accepted_count'),
  denied: num(r, 'denied_count'),
  revenue: num(r, 'accepted_revenue_cents'),
  validated: num(r, 'total_validated'),
  approved: num(r, 'total_approved'),
  rejected: num(r, 'total_rejected'),
});

const registeredFromRow = (r: Row): RegisteredOrder => ({
  order: orderFromRow(r, 'order_timestamp', 'order_status'),
  status: str(r, 'status') as OrderStatus,
  registeredAt: num(r, 'registered_at'),
  updatedAt: num(r, 'updated_at'),
  version: num(r, 'version'),
  validationPassed: bool(r, 'validation_passed'),
  failedRules: JSON.parse(str(r, 'failed_rules') || '[]') as RuleResult[],
});

const decisionFromRow = (r: Row): DecisionRecord => ({
  requestId: str(r, 'request_id'),
  orderId: str(r, 'order_id'),
  applied: bool(r, 'applied'),
  reason: optStr(r, 'reason'),
  decidedAt: num(r, 'decided_at'),
});

/** Mutable tallies of one batch, added to the shard row at commit. */
class Tally {
  registered = 0;
  revenue = 0;
  validated = 0;
  approved = 0;
  rejected = 0;
  /** Some message of the batch found its own earlier effects: the batch is being applied again. */
  repeated = false;
  readonly byStatus: Record<OrderStatus, number> = { pending: 0, accepted: 0, denied: 0 };
}

/**
 * The registry on Cassandra. Registry messages are keyed by order id, so everything about one order
 * arrives through one source partition, in order. Per order the registry row is the single point of
 * truth, changed only by lightweight transactions: registration is INSERT … IF NOT EXISTS, a decision
 * is UPDATE … IF version = <read version> (and only from pending), and each request id is recorded
 * once with INSERT … IF NOT EXISTS. Claims name the log position that made them, so a batch replayed
 * after a crash recognises its own earlier writes and counts them exactly once in its shard row,
 * which (as for the views) is written USING TIMESTAMP <next offset> and carries the counts.
 */
/** The time_buckets series of status_decisions_by_hour, and its bucket width. */
const DECISIONS_SERIES = 'decisions';
const HOUR_MS = 3_600_000;

export function createCassandraRegistryStore(
  session: Session,
  ks: Keyspaces,
  options: { readonly decisionTtlSeconds: number } = { decisionTtlSeconds: 0 },
): RegistryStore {
  const r = ks.registry;
  const marks = bucketMarks(session, r);
  const cql = {
    shard: `SELECT * FROM ${r}.source_positions WHERE shard_group = ? AND consumer = ? AND topic = ? AND partition = ?`,
    shards: `SELECT * FROM ${r}.source_positions WHERE shard_group = ?`,
    consumerShards: `SELECT * FROM ${r}.source_positions WHERE shard_group = ? AND consumer = ?`,
    writeShard: `INSERT INTO ${r}.source_positions
        (shard_group, consumer, topic, partition, next_offset, processed_count, error_count, last_processed_timestamp,
         registered_count, pending_count, accepted_count, denied_count, accepted_revenue_cents,
         total_validated, total_approved, total_rejected)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    register: `INSERT INTO ${r}.registered_orders
        (order_id, customer_id, product_id, quantity, unit_price, total, status, registered_at, updated_at, version,
         validation_passed, unit_price_cents, total_cents, order_timestamp, order_status, failed_rules,
         registered_by)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    // The row of a claimed registration, written at timestamp 1: every decision (a lightweight transaction,
    // written at the current time) supersedes its cells, while a replay, or a late write of a consumer
    // that lost the partition, writes the same values at the same timestamp and changes nothing.
    writeRegistered: `INSERT INTO ${r}.registered_orders
        (order_id, customer_id, product_id, quantity, unit_price, total, status, registered_at, updated_at, version,
         validation_passed, unit_price_cents, total_cents, order_timestamp, order_status, failed_rules,
         registered_by)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP 1`,
    registered: `SELECT * FROM ${r}.registered_orders WHERE order_id = ?`,
    registeredIn: `SELECT * FROM ${r}.registered_orders WHERE order_id IN ?`,
    decide: `UPDATE ${r}.registered_orders SET status = ?, updated_at = ?, version = ?, last_request_id = ?
      WHERE order_id = ? IF version = ? AND status = 'pending'`,
    insertUpdate: `INSERT INTO ${r}.order_updates
        (order_id, version, previous_status, new_status, updated_at, update_reason, request_id, requested_by)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    history: `SELECT * FROM ${r}.order_updates WHERE order_id = ?`,
    update: `SELECT * FROM ${r}.order_updates WHERE order_id = ? AND version = ?`,
    decision: `SELECT * FROM ${r}.status_decisions WHERE request_id = ?`,
    insertDecision: `INSERT INTO ${r}.status_decisions
        (request_id, order_id, applied, reason, decided_at, new_status, decided_by)
      VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS USING TTL ?`,
    indexDecision: `INSERT INTO ${r}.status_decisions_by_hour (bucket_id, decided_at, request_id) VALUES (?, ?, ?)
      USING TTL ?`,
    expiringDecisions: `SELECT decided_at, request_id FROM ${r}.status_decisions_by_hour WHERE bucket_id = ? LIMIT ?`,
    // Conditional: only the record this index row was written for.
    expireDecision: `DELETE FROM ${r}.status_decisions WHERE request_id = ? IF decided_at = ?`,
    unindexDecision: `DELETE FROM ${r}.status_decisions_by_hour WHERE bucket_id = ? AND decided_at = ? AND request_id = ?`,
    indexStatus: `INSERT INTO ${r}.registered_by_status (status, bucket_id, registered_at, order_id) VALUES (?, ?, ?, ?)`,
    unindexStatus: `DELETE FROM ${r}.registered_by_status
      WHERE status = ? AND bucket_id = ? AND registered_at = ? AND order_id = ?`,
    byStatusBucket: `SELECT order_id FROM ${r}.registered_by_status WHERE status = ? AND bucket_id = ? LIMIT ?`,
    oldestPendingBucket: `SELECT order_id FROM ${r}.registered_by_status WHERE status = 'pending' AND bucket_id = ?
      ORDER BY registered_at ASC LIMIT ?`,
    statuses: `SELECT order_id, status FROM ${r}.registered_orders WHERE order_id IN ?`,
    mirrorValidation: `INSERT INTO ${r}.validation_stats
        (processor_id, total_validated, total_approved, total_rejected, timestamp) VALUES (?, ?, ?, ?, ?)`,
  };
  const feed = createChangeFeed(session, r, marks);
  const claimRegistrations = createOrderClaims(session, `${r}.registration_claims`, ['registered_at']);
  const perOrderClaims = claimsPerOrder(session, ks, CLAIM_SETTINGS.registry);

  // SERIAL reads see every committed lightweight transaction, which decisions are made on.
  const readRegisteredRow = async (orderId: string): Promise<Row | undefined> =>
    (await session.rows(cql.registered, [orderId], { serial: true }))[0];
  const readRegistered = async (orderId: string): Promise<RegisteredOrder | undefined> => {
    const row = await readRegisteredRow(orderId);
    return row === undefined ? undefined : registeredFromRow(row);
  };
  // Readers (API, monitor) need no Paxos round: a plain read at the configured consistency.
  const lookup = async (orderId: string): Promise<RegisteredOrder | undefined> => {
    const [row] = await session.rows(cql.registered, [orderId]);
    return row === undefined ? undefined : registeredFromRow(row);
  };

  /**
   * The registrations of the given ids, in IN reads of MAX_IN_KEYS (a plain read, as `lookup`): one
   * request per hundred ids, not one per id, and the requests bounded in flight however many ids.
   */
  async function lookupAll(orderIds: readonly string[]): Promise<Map<string, RegisteredOrder>> {
    const chunks = chunksOf([...new Set(orderIds)], MAX_IN_KEYS);
    const rows = (await mapLimited(chunks, QUERIES_IN_FLIGHT, (ids) => session.rows(cql.registeredIn, [ids]))).flat();
    return new Map(rows.map((row) => [str(row, 'order_id'), registeredFromRow(row)]));
  }

  /**
   * Row writes of a batch's registrations, held back and sent in unlogged batches (writes.ts). A
   * decision reads what registrations wrote, so every decision flushes them first, as does the commit.
   * Flushes go one after another (each one's batches bounded in flight by writeRows), so the orders
   * applied side by side never multiply the batches in flight.
   */
  function pendingRows() {
    let pending: PartitionWrite[] = [];
    let sending: Promise<void> = Promise.resolve();
    return {
      add(rows: readonly PartitionWrite[]): void {
        pending.push(...rows);
      },
      /** Sends what is pending after what was sent before; settles once all of it has, with its first failure. */
      async flush(): Promise<void> {
        if (pending.length > 0) {
          const rows = pending;
          sending = sending.then(() => writeRows(session, rows));
        }
        pending = [];
        await sending;
      },
      /** After a failure: drops what is pending and waits out what was sent, so no retry overlaps it. */
      async abandon(): Promise<void> {
        pending = [];
        await sending.catch(() => undefined);
      },
    };
  }

  /** A registration's first status index row, its bucket marked first. */
  async function firstIndexRow(order: RegisteredOrder): Promise<PartitionWrite> {
    const bucket = bucketOf(order.registeredAt, DAY_MS);
    await marks.touch(`status:${order.status}`, bucket);
    return {
      partition: `registered_by_status\u0000${order.status}\u0000${bucket}`,
      cql: cql.indexStatus,
      params: [order.status, bucket, order.registeredAt, order.order.orderId],
    };
  }

  async function moveStatusIndex(order: RegisteredOrder, from: OrderStatus | null, to: OrderStatus): Promise<void> {
    const bucket = bucketOf(order.registeredAt, DAY_MS);
    const key = [bucket, order.registeredAt, order.order.orderId];
    if (from !== null && from !== to) await session.write(cql.unindexStatus, [from, ...key]);
    await marks.touch(`status:${to}`, bucket);
    await session.write(cql.indexStatus, [to, ...key]);
  }

  const updateValues = (u: StatusUpdate): unknown[] => [
    u.orderId,
    u.version,
    u.previousStatus,
    u.newStatus,
    u.updatedAt,
    u.reason,
    u.requestId,
    u.requestedBy,
  ];

  async function writeUpdate(u: StatusUpdate): Promise<void> {
    await session.write(cql.insertUpdate, updateValues(u));
  }

  const feedChange = (u: StatusUpdate, order: Order): FeedChange => ({
    kind: u.version === 1 ? 'registered' : 'status',
    orderId: u.orderId,
    status: u.newStatus,
    previousStatus: u.previousStatus,
    version: u.version,
    at: u.updatedAt,
    order,
  });

  function registeredValues(registered: RegisteredOrder, token: string): unknown[] {
    const o = registered.order;
    return [
      o.orderId,
      o.customerId,
      o.productId,
      o.quantity,
      o.unitPriceCents / 100,
      o.totalCents / 100,
      registered.status,
      registered.registeredAt,
      registered.updatedAt,
      registered.version,
      registered.validationPassed,
      o.unitPriceCents,
      o.totalCents,
      o.timestamp,
      o.status,
      JSON.stringify(registered.failedRules),
      token,
    ];
  }

  /**
   * Registers once per order id; returns the registration when this log position made it. `claim` is
   * the outcome of the batch's registration claims, or undefined where registering claims per order.
   */
  async function register(
    message: ValidationMessage,
    token: string,
    now: number,
    tally: Tally,
    changes: FeedChange[],
    claim: ClaimResult | undefined,
    pending: { add(rows: readonly PartitionWrite[]): void },
  ): Promise<RegisteredOrder | undefined> {
    const { registered, update } = registerOrder(message.order, message.result, now);
    const o = registered.order;
    let firstRegisteredAt: number | undefined;
    if (claim === undefined) {
      const result = await session.lwt(cql.register, registeredValues(registered, token));
      if (!result.applied && result.current?.registered_by !== token) return undefined;
      if (!result.applied) tally.repeated = true;
      if (!result.applied && result.current !== undefined) firstRegisteredAt = num(result.current, 'registered_at');
    } else {
      if (claim.kind === 'lost') return undefined;
      if (claim.kind === 'again') {
        tally.repeated = true;
        firstRegisteredAt = num(claim.row, 'registered_at');
      }
    }
    // Replaying our own registration: the first attempt's time stands.
    const stored =
      firstRegisteredAt === undefined
        ? registered
        : { ...registered, registeredAt: firstRegisteredAt, updatedAt: firstRegisteredAt };
    const first = { ...update, updatedAt: stored.registeredAt };
    // Independent writes, each idempotent: a crash between them replays the registration as a whole.
    const partition = `\u0000${o.orderId}`;
    pending.add([
      ...(claim === undefined
        ? []
        : [
            {
              partition: `registered_orders${partition}`,
              cql: cql.writeRegistered,
              params: registeredValues(stored, token),
            },
          ]),
      { partition: `order_updates${partition}`, cql: cql.insertUpdate, params: updateValues(first) },
      await firstIndexRow(stored),
    ]);
    changes.push(feedChange(first, o));
    tally.registered++;
    tally.byStatus[stored.status]++;
    if (stored.status === 'accepted') tally.revenue += o.totalCents;
    tally.validated++;
    if (stored.validationPassed) tally.approved++;
    else tally.rejected++;
    return stored;
  }

  /** Decides a request once; returns the decision when this log position made it. */
  async function decide(
    change: StatusChange,
    token: string,
    now: number,
    tally: Tally,
    changes: FeedChange[],
  ): Promise<DecisionRecord | undefined> {
    const [existing] = await session.rows(cql.decision, [change.requestId], { serial: true });
    if (existing !== undefined && existing.decided_by !== token) return undefined;

    let record: DecisionRecord;
    let applied: { registered: RegisteredOrder; update: StatusUpdate } | undefined;
    if (existing !== undefined) {
      // Our own decision, recorded before a crash: redo its idempotent effects and count it.
      tally.repeated = true;
      record = decisionFromRow(existing);
      if (record.applied) {
        const current = await readRegistered(change.orderId);
        if (current !== undefined) {
          const [u] = await session.rows(cql.update, [change.orderId, current.version]);
          applied = { registered: current, update: updateFromRowOr(u, current, change) };
        }
      }
    } else {
      for (;;) {
        const row = await readRegisteredRow(change.orderId);
        const current = row === undefined ? undefined : registeredFromRow(row);
        if (row === undefined || current === undefined) {
          record = {
            requestId: change.requestId,
            orderId: change.orderId,
            applied: false,
            reason: 'unknown order',
            decidedAt: now,
          };
          break;
        }
        if (optStr(row, 'last_request_id') === change.requestId) {
          // The row already carries this request (a crash came before the decision was recorded).
          tally.repeated = true;
          const [u] = await session.rows(cql.update, [change.orderId, current.version]);
          applied = { registered: current, update: updateFromRowOr(u, current, change) };
          record = {
            requestId: change.requestId,
            orderId: change.orderId,
            applied: true,
            reason: null,
            decidedAt: current.updatedAt,
          };
          break;
        }
        const decision = decideStatus(current, change, now);
        if (!decision.applied) {
          record = {
            requestId: change.requestId,
            orderId: change.orderId,
            applied: false,
            reason: decision.reason,
            decidedAt: now,
          };
          break;
        }
        const next = decision.registered;
        const cas = await session.lwt(cql.decide, [
          next.status,
          next.updatedAt,
          next.version,
          change.requestId,
          change.orderId,
          current.version,
        ]);
        if (cas.applied) {
          applied = { registered: next, update: decision.update };
          record = {
            requestId: change.requestId,
            orderId: change.orderId,
            applied: true,
            reason: null,
            decidedAt: now,
          };
          break;
        }
        // Someone changed the order in between: read again and decide on what is there now.
      }
      // Indexed for retention before the record is written, so no record is left where no pass finds it.
      const bucket = bucketOf(record.decidedAt, HOUR_MS);
      await marks.touch(DECISIONS_SERIES, bucket);
      await session.write(cql.indexDecision, [bucket, record.decidedAt, record.requestId, options.decisionTtlSeconds]);
      const claim = await session.lwt(cql.insertDecision, [
        record.requestId,
        record.orderId,
        record.applied,
        record.reason,
        record.decidedAt,
        applied?.registered.status ?? null,
        token,
        options.decisionTtlSeconds,
      ]);
      if (!claim.applied && claim.current?.decided_by !== token) return undefined;
      if (!claim.applied) tally.repeated = true;
    }
    if (applied !== undefined) {
      const { registered, update } = applied;
      await writeUpdate(update);
      await moveStatusIndex(registered, 'pending', registered.status);
      changes.push(feedChange(update, registered.order));
      tally.byStatus.pending--;
      tally.byStatus[registered.status]++;
      if (registered.status === 'accepted') tally.revenue += registered.order.totalCents;
    }
    return record;
  }

  /** Claims the registrations of a batch at once; the outcome by offset of each order id's first validation. */
  async function claimBatch(
    entries: readonly Consumed<RegistryMessage>[],
    tokenAt: (offset: number) => string,
    now: number,
  ): Promise<Map<number, ClaimResult>> {
    const firsts = new Map<string, { offset: number; order: Order }>();
    for (const { offset, content } of entries) {
      if (content?.kind === 'validation' && !firsts.has(content.order.orderId)) {
        firsts.set(content.order.orderId, { offset, order: content.order });
      }
    }
    const results = await claimRegistrations(
      [...firsts.values()].map(({ offset, order }) => ({
        orderId: order.orderId,
        orderTimestamp: order.timestamp,
        token: tokenAt(offset),
        values: [now],
      })),
    );
    return new Map([...firsts.values()].map(({ offset, order }) => [offset, results.get(order.orderId) ?? LOST]));
  }

  async function readShard(source: SourcePartition): Promise<Shard> {
    const [row] = await session.rows(cql.shard, [GROUP, source.consumer, source.topic, source.partition]);
    return row === undefined ? EMPTY_SHARD : shardFromRow(row);
  }

  async function commit(
    source: SourcePartition,
    shard: Shard,
    fresh: readonly Consumed<unknown>[],
    end: number,
    now: number,
    tally: Tally,
  ): Promise<void> {
    const errors = fresh.filter((e) => e.content === null).length;
    await session.write(cql.writeShard, [
      GROUP,
      source.consumer,
      source.topic,
      source.partition,
      end,
      shard.processed + fresh.length - errors,
      shard.errors + errors,
      now,
      shard.registered + tally.registered,
      shard.pending + tally.byStatus.pending,
      shard.accepted + tally.byStatus.accepted,
      shard.denied + tally.byStatus.denied,
      shard.revenue + tally.revenue,
      shard.validated + tally.validated,
      shard.approved + tally.approved,
      shard.rejected + tally.rejected,
      end,
    ]);
  }

  async function totals(): Promise<RegistryTotals> {
    const shards = (await session.rows(cql.shards, [GROUP])).map(shardFromRow);
    const sum = (pick: (s: Shard) => number) => shards.reduce((acc, s) => acc + pick(s), 0);
    return {
      registeredCount: sum((s) => s.registered),
      acceptedCount: sum((s) => s.accepted),
      deniedCount: sum((s) => s.denied),
      pendingCount: sum((s) => s.pending),
      acceptedRevenueCents: sum((s) => s.revenue),
      totalValidated: sum((s) => s.validated),
      totalApproved: sum((s) => s.approved),
      totalRejected: sum((s) => s.rejected),
    };
  }

  return {
    expireDecisions(before, limit) {
      return expireBuckets(
        session,
        r,
        DECISIONS_SERIES,
        bucketOf(before, HOUR_MS),
        limit,
        async (bucket, remaining) => {
          const rows = await session.rows(cql.expiringDecisions, [bucket, remaining]);
          await forEachLimited(rows, QUERIES_IN_FLIGHT, async (row) => {
            await session.lwt(cql.expireDecision, [str(row, 'request_id'), row.decided_at]);
            await session.write(cql.unindexDecision, [bucket, row.decided_at, str(row, 'request_id')]);
          });
          return { removed: rows.length, emptied: rows.length < remaining };
        },
      );
    },
    async applyRegistryMessages(source, entries, now) {
      const shard = await readShard(source);
      const fresh = entries.filter((e) => e.offset >= shard.nextOffset);
      const last = fresh.at(-1);
      if (last === undefined) return { applied: 0, skipped: entries.length, registered: [], decisions: [] };
      const tally = new Tally();
      // Messages of one order apply in entry order (a decision may concern an order registered earlier
      // in the batch); different orders are independent, so their round trips overlap.
      const results = new Map<
        number,
        { registered?: RegisteredOrder; decision?: DecisionRecord; changes: FeedChange[] }
      >();
      const byOrder = new Map<string, Consumed<RegistryMessage>[]>();
      for (const entry of fresh) {
        if (entry.content === null) continue;
        const orderId =
          entry.content.kind === 'validation' ? entry.content.order.orderId : entry.content.change.orderId;
        const group = byOrder.get(orderId);
        if (group === undefined) byOrder.set(orderId, [entry]);
        else group.push(entry);
      }
      const tokenAt = (offset: number) => positionToken(source.consumer, source.topic, source.partition, offset);
      const claims = (await perOrderClaims()) ? undefined : await claimBatch(fresh, tokenAt, now);
      const pending = pendingRows();
      const applying = forEachLimited([...byOrder.values()], ORDERS_IN_FLIGHT, async (group) => {
        for (const { offset, content } of group) {
          if (content === null) continue;
          const token = tokenAt(offset);
          const own: FeedChange[] = [];
          if (content.kind === 'validation') {
            // Only the first validation of an order id in the batch asked; a later one registers nothing.
            const claimed = claims === undefined ? undefined : (claims.get(offset) ?? LOST);
            const added = await register(content, token, now, tally, own, claimed, pending);
            results.set(offset, { ...(added && { registered: added }), changes: own });
          } else {
            await pending.flush();
            const decided = await decide(content.change, token, now, tally, own);
            results.set(offset, { ...(decided && { decision: decided }), changes: own });
          }
        }
      });
      await applying.catch(async (error: unknown) => {
        await pending.abandon();
        throw error;
      });
      await pending.flush();
      const inEntryOrder = fresh.flatMap((e) => {
        const result = results.get(e.offset);
        return result === undefined ? [] : [result];
      });
      const registered = inEntryOrder.flatMap((r) => (r.registered === undefined ? [] : [r.registered]));
      const decisions = inEntryOrder.flatMap((r) => (r.decision === undefined ? [] : [r.decision]));
      const changes = inEntryOrder.flatMap((r) => r.changes);
      await feed.append(changes, { repeated: tally.repeated });
      await commit(source, shard, fresh, last.offset + 1, now, tally);
      if (tally.validated > 0) {
        const t = await totals();
        await session.write(cql.mirrorValidation, [
          REGISTRY_PROCESSOR_ID,
          t.totalValidated,
          t.totalApproved,
          t.totalRejected,
          now,
        ]);
      }
      return { applied: fresh.length, skipped: entries.length - fresh.length, registered, decisions };
    },

    async recordValidations(source, entries, now) {
      const shard = await readShard(source);
      const fresh = entries.filter((e) => e.offset >= shard.nextOffset);
      const last = fresh.at(-1);
      if (last === undefined) return { applied: 0, skipped: entries.length };
      await commit(source, shard, fresh, last.offset + 1, now, new Tally());
      return { applied: fresh.length, skipped: entries.length - fresh.length };
    },

    registered: lookup,
    async history(orderId) {
      return (await session.rows(cql.history, [orderId])).map(updateFromRow);
    },
    byStatus(status, limit) {
      return newestFirst(session, r, `status:${status}`, limit, async (bucket, remaining) => {
        const ids = (await session.rows(cql.byStatusBucket, [status, bucket, remaining])).map((row) =>
          str(row, 'order_id'),
        );
        const found = await lookupAll(ids);
        // The index may briefly lag a status change; the registry row is the truth. Index order (newest
        // first) is kept: an IN read answers in token order.
        return ids.flatMap((id) => {
          const order = found.get(id);
          return order !== undefined && order.status === status ? [order] : [];
        });
      });
    },
    oldestPending(limit) {
      return oldestFirst(session, r, 'status:pending', limit, async (bucket, remaining) => {
        const ids = (await session.rows(cql.oldestPendingBucket, [bucket, remaining])).map((row) =>
          str(row, 'order_id'),
        );
        const found = await lookupAll(ids);
        // As in byStatus: the registry row is the truth, the index order (oldest first) is kept.
        return ids.flatMap((id) => {
          const order = found.get(id);
          return order !== undefined && order.status === 'pending' ? [order] : [];
        });
      });
    },
    totals,
    async decision(requestId) {
      const [row] = await session.rows(cql.decision, [requestId]);
      return row === undefined ? undefined : decisionFromRow(row);
    },
    async sources(orderId) {
      const [[row], history] = await Promise.all([
        session.rows(cql.registered, [orderId]),
        session.rows(cql.history, [orderId]),
      ]);
      const requests = history.map((u) => optStr(u, 'request_id')).filter((id): id is string => id !== null);
      const decided = await Promise.all(requests.map(async (id) => (await session.rows(cql.decision, [id]))[0]));
      const decisions = new Map<string, EffectSource>();
      for (const d of decided) {
        if (d === undefined) continue;
        const token = optStr(d, 'decided_by');
        decisions.set(str(d, 'request_id'), {
          position: token === null ? null : positionOfToken(token),
          at: num(d, 'decided_at'),
        });
      }
      const by = row === undefined ? null : optStr(row, 'registered_by');
      return {
        registration:
          row === undefined
            ? null
            : { position: by === null ? null : positionOfToken(by), at: num(row, 'registered_at') },
        decisions,
      };
    },
    async processingStats(processorId) {
      return sumStats(processorId, await session.rows(cql.consumerShards, [GROUP, processorId]));
    },
    async statuses(orderIds) {
      const chunks = chunksOf([...new Set(orderIds)], MAX_IN_KEYS);
      const rows = (await mapLimited(chunks, QUERIES_IN_FLIGHT, (ids) => session.rows(cql.statuses, [ids]))).flat();
      return new Map(rows.map((row) => [str(row, 'order_id'), str(row, 'status') as OrderStatus]));
    },
    changesSince: (cursor, limit): Promise<readonly RegistryChange[]> => feed.since(cursor, limit),
    latestCursor: () => feed.latestCursor(),
    expireChanges: (before, limit) => feed.expire(before, limit),
  };
}

function updateFromRow(r: Row): StatusUpdate {
  return {
    orderId: str(r, 'order_id'),
    version: num(r, 'version'),
    previousStatus: optStr(r, 'previous_status') as OrderStatus | null,
    newStatus: str(r, 'new_status') as OrderStatus,
    updatedAt: num(r, 'updated_at'),
    reason: str(r, 'update_reason'),
    requestId: optStr(r, 'request_id'),
    requestedBy: optStr(r, 'requested_by'),
  };
}

/** The history row of a decision replayed after a crash, rebuilt from the registry row when missing. */
function updateFromRowOr(row: Row | undefined, current: RegisteredOrder, change: StatusChange): StatusUpdate {
  if (row !== undefined) return updateFromRow(row);
  return {
    orderId: change.orderId,
    version: current.version,
    previousStatus: 'pending',
    newStatus: current.status,
    updatedAt: current.updatedAt,
    reason: change.reason ?? `manual decision: ${change.newStatus}`,
    requestId: change.requestId,
    requestedBy: change.requestedBy,
  };
}
