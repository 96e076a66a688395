import { RegistryTally, decideStatus, historyWithRegistration, registerOrder } from '@kafka-monitor/domain';
import type {
  Consumed,
  DecisionRecord,
  EffectSource,
  MessagePosition,
  OrderStatus,
  RegisteredOrder,
  RegistryMessage,
  RegistryChange,
  RegistrySources,
  RegistryStore,
  RegistryTotals,
  RuleResult,
  SourcePartition,
  StatusChange,
  StatusUpdate,
  ValidationMessage,
} from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import type { Checkpoints, Settle } from './checkpoint.js';
import { createReadCache } from './read-cache.js';
import { effectSource, orderParams, type SourceRow } from './rows.js';

interface RegisteredRow {
  order_id: string;
  customer_id: number;
  product_id: string;
  quantity: number;
  unit_price_cents: number;
  total_cents: number;
  order_timestamp: number;
  order_status: string;
  status: OrderStatus;
  registered_at: number;
  updated_at: number;
  version: number;
  validation_passed: number;
  failed_rules: string;
  /** Set for orders registered since schema version 4, whose version-1 history entry is this row. */
  initial_status: OrderStatus | null;
  registration_reason: string | null;
}

interface ChangeRow extends RegisteredRow {
  cursor: number;
  kind: 'registered' | 'status';
  change_status: OrderStatus;
  previous_status: OrderStatus | null;
  change_version: number;
  at: number;
}

interface UpdateRow {
  order_id: string;
  version: number;
  previous_status: OrderStatus | null;
  new_status: OrderStatus;
  updated_at: number;
  update_reason: string;
  request_id: string | null;
  requested_by: string | null;
}

interface DecisionRow {
  request_id: string;
  order_id: string;
  applied: number;
  reason: string | null;
  decided_at: number;
}

const registeredFromRow = (r: RegisteredRow): RegisteredOrder => ({
  order: {
    orderId: r.order_id,
    customerId: r.customer_id,
    productId: r.product_id,
    quantity: r.quantity,
    unitPriceCents: r.unit_price_cents,
    totalCents: r.total_cents,
    timestamp: r.order_timestamp,
    status: r.order_status,
  },
  status: r.status,
  registeredAt: r.registered_at,
  updatedAt: r.updated_at,
  version: r.version,
  validationPassed: r.validation_passed === 1,
  failedRules: JSON.parse(r.failed_rules) as RuleResult[],
});

const updateFromRow = (r: UpdateRow): StatusUpdate => ({
  orderId: r.order_id,
  version: r.version,
  previousStatus: r.previous_status,
  newStatus: r.new_status,
  updatedAt: r.updated_at,
  reason: r.update_reason,
  requestId: r.request_id,
  requestedBy: r.requested_by,
});

const decisionFromRow = (r: DecisionRow): DecisionRecord => ({
  requestId: r.request_id,
  orderId: r.order_id,
  applied: r.applied === 1,
  reason: r.reason,
  decidedAt: r.decided_at,
});

export const REGISTRY_PROCESSOR_ID = 'registry-processor';

export function createSqliteRegistryStore(db: SqliteDatabase, checkpoints: Checkpoints, settle: Settle): RegistryStore {
  const sql = {
    registered: db.prepare('SELECT * FROM registered_orders WHERE order_id = ?'),
    insertRegistered: db.prepare(
      `INSERT INTO registered_orders
         (order_id, customer_id, product_id, quantity, unit_price_cents, total_cents, order_timestamp, order_status,
          status, registered_at, updated_at, version, validation_passed, failed_rules, registration_seq,
          initial_status, registration_reason, source_topic, source_partition, source_offset)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (order_id) DO NOTHING`,
    ),
    updateStatus: db.prepare('UPDATE registered_orders SET status = ?, updated_at = ?, version = ? WHERE order_id = ?'),
    insertUpdate: db.prepare(
      `INSERT OR IGNORE INTO order_updates
         (order_id, version, previous_status, new_status, updated_at, update_reason, request_id, requested_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    history: db.prepare('SELECT * FROM order_updates WHERE order_id = ? ORDER BY version DESC'),
    byStatus: db.prepare('SELECT * FROM registered_orders WHERE status = ? ORDER BY registration_seq DESC LIMIT ?'),
    // The status index read backwards: the oldest pending registration first.
    oldestPending: db.prepare(
      "SELECT * FROM registered_orders WHERE status = 'pending' ORDER BY registration_seq ASC LIMIT ?",
    ),
    decision: db.prepare('SELECT * FROM status_decisions WHERE request_id = ?'),
    expireDecisions: db.prepare(
      `DELETE FROM status_decisions WHERE rowid IN
         (SELECT rowid FROM status_decisions WHERE decided_at < ? ORDER BY decided_at LIMIT ?)`,
    ),
    insertDecision: db.prepare(
      `INSERT INTO status_decisions
         (request_id, order_id, applied, reason, decided_at, source_topic, source_partition, source_offset)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    totals: db.prepare('SELECT * FROM registry_totals WHERE id = 1'),
    addChange: db.prepare(
      'INSERT INTO registry_changes (order_id, kind, status, previous_status, version, at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    changesSince: db.prepare(
      `SELECT c.cursor, c.kind, c.status AS change_status, c.previous_status, c.version AS change_version, c.at, r.*
       FROM registry_changes c JOIN registered_orders r ON r.order_id = c.order_id
       WHERE c.cursor > ? ORDER BY c.cursor LIMIT ?`,
    ),
    latestCursor: db.prepare('SELECT coalesce(max(cursor), 0) AS cursor FROM registry_changes'),
    oldestChanges: db.prepare('SELECT cursor, at FROM registry_changes ORDER BY cursor LIMIT ?'),
    deleteChangesTo: db.prepare('DELETE FROM registry_changes WHERE cursor <= ?'),
    statuses: db.prepare(
      'SELECT order_id, status FROM registered_orders WHERE order_id IN (SELECT value FROM json_each(?))',
    ),
    validationStats: db.prepare('SELECT * FROM validation_stats WHERE processor_id = ?'),
  };
  // Counters change once per batch, not once per order: a batch of 500 registrations is one UPDATE.
  const addTotals = db.prepare(
    `UPDATE registry_totals SET registered_count = registered_count + ?, pending_count = pending_count + ?,
       accepted_count = accepted_count + ?, denied_count = denied_count + ?,
       accepted_revenue_cents = accepted_revenue_cents + ?
     WHERE id = 1`,
  );
  const addRuleHits = db.prepare(
    `INSERT INTO rule_totals (rule_name, denied_count, review_count) VALUES (?, ?, ?)
     ON CONFLICT (rule_name) DO UPDATE SET denied_count = denied_count + excluded.denied_count,
       review_count = review_count + excluded.review_count`,
  );
  const ruleTotals = db.prepare('SELECT rule_name, denied_count, review_count FROM rule_totals');
  const addValidations = db.prepare(
    `INSERT INTO validation_stats (processor_id, total_validated, total_approved, total_rejected, timestamp)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (processor_id) DO UPDATE SET total_validated = total_validated + excluded.total_validated,
       total_approved = total_approved + excluded.total_approved,
       total_rejected = total_rejected + excluded.total_rejected, timestamp = excluded.timestamp`,
  );

  const totals = createReadCache(db, (): RegistryTotals => {
    const t = sql.totals.get() as {
      registered_count: number;
      accepted_count: number;
      denied_count: number;
      pending_count: number;
      accepted_revenue_cents: number;
    };
    const v = sql.validationStats.get(REGISTRY_PROCESSOR_ID) as
      { total_validated: number; total_approved: number; total_rejected: number } | undefined;
    return {
      registeredCount: t.registered_count,
      acceptedCount: t.accepted_count,
      deniedCount: t.denied_count,
      pendingCount: t.pending_count,
      acceptedRevenueCents: t.accepted_revenue_cents,
      totalValidated: v?.total_validated ?? 0,
      totalApproved: v?.total_approved ?? 0,
      totalRejected: v?.total_rejected ?? 0,
    };
  });

  /** What one batch adds to the counters, written once at its end. */
  class BatchTotals extends RegistryTally {
    readonly nextSeq: number;

    constructor(nextSeq: number) {
      super();
      this.nextSeq = nextSeq;
    }

    flush(now: number): void {
      if (this.isEmpty) return;
      const { pending, accepted, denied } = this.byStatus;
      totals.invalidate();
      addTotals.run(this.registered, pending, accepted, denied, this.revenueCents);
      if (this.registered > 0) {
        addValidations.run(REGISTRY_PROCESSOR_ID, this.validated, this.approved, this.rejected, now);
      }
      for (const [rule, hits] of Object.entries(this.ruleHits)) addRuleHits.run(rule, hits.denied, hits.review);
    }
  }

  function insertUpdate(u: StatusUpdate): void {
    sql.insertUpdate.run(
      u.orderId,
      u.version,
      u.previousStatus,
      u.newStatus,
      u.updatedAt,
      u.reason,
      u.requestId,
      u.requestedBy,
    );
    addChange(u);
  }

  function addChange(u: StatusUpdate): void {
    sql.addChange.run(
      u.orderId,
      u.version === 1 ? 'registered' : 'status',
      u.newStatus,
      u.previousStatus,
      u.version,
      u.updatedAt,
    );
  }

  function register(
    message: ValidationMessage,
    at: MessagePosition,
    now: number,
    totals: BatchTotals,
  ): RegisteredOrder | undefined {
    const { registered, update } = registerOrder(message.order, message.result, now);
    // The primary key decides whether this is the first registration: a replay inserts nothing.
    const inserted = sql.insertRegistered.run(
      ...orderParams(registered.order),
      registered.status,
      registered.registeredAt,
      registered.updatedAt,
      registered.version,
      registered.validationPassed ? 1 : 0,
      JSON.stringify(registered.failedRules),
      totals.nextSeq + totals.registered,
      update.newStatus,
      update.reason,
      at.topic,
      at.partition,
      at.offset,
    );
    if (inserted.changes === 0) return undefined;
    // The registration's history entry is the order row itself (see `history`).
    addChange(update);
    totals.countRegistration(registered);
    return registered;
  }

  function decide(
    change: StatusChange,
    at: MessagePosition,
    now: number,
    totals: BatchTotals,
  ): DecisionRecord | undefined {
    if (sql.decision.get(change.requestId) !== undefined) return undefined;
    const row = sql.registered.get(change.orderId) as RegisteredRow | undefined;
    let record: DecisionRecord;
    if (row === undefined) {
      record = {
        requestId: change.requestId,
        orderId: change.orderId,
        applied: false,
        reason: 'unknown order',
        decidedAt: now,
      };
    } else {
      const decision = decideStatus(registeredFromRow(row), change, now);
      if (decision.applied) {
        const { registered, update } = decision;
        sql.updateStatus.run(registered.status, registered.updatedAt, registered.version, registered.order.orderId);
        insertUpdate(update);
        totals.countDecision(row.status, registered);
      }
      record = {
        requestId: change.requestId,
        orderId: change.orderId,
        applied: decision.applied,
        reason: decision.applied ? null : decision.reason,
        decidedAt: now,
      };
    }
    sql.insertDecision.run(
      record.requestId,
      record.orderId,
      record.applied ? 1 : 0,
      record.reason,
      record.decidedAt,
      at.topic,
      at.partition,
      at.offset,
    );
    return record;
  }

  /** Newest first. Version 1 comes from the order row, unless the order predates that (then it is stored). */
  function historyOf(orderId: string): StatusUpdate[] {
    const updates = (sql.history.all(orderId) as UpdateRow[]).map(updateFromRow);
    if (updates.at(-1)?.version === 1) return updates;
    const row = sql.registered.get(orderId) as RegisteredRow | undefined;
    if (row?.initial_status == null || row.registration_reason === null) return updates;
    return historyWithRegistration(updates, {
      orderId,
      initialStatus: row.initial_status,
      registeredAt: row.registered_at,
      reason: row.registration_reason,
    });
  }

  function sourcesOf(orderId: string): RegistrySources {
    const row = sql.registered.get(orderId) as (RegisteredRow & SourceRow) | undefined;
    const decisions = new Map<string, EffectSource>();
    for (const update of historyOf(orderId)) {
      if (update.requestId === null) continue;
      const decided = sql.decision.get(update.requestId) as (DecisionRow & SourceRow) | undefined;
      if (decided !== undefined) decisions.set(update.requestId, effectSource(decided, decided.decided_at));
    }
    return { registration: row === undefined ? null : effectSource(row, row.registered_at), decisions };
  }

  const applyMessages = db.transaction(
    (source: SourcePartition, entries: readonly Consumed<RegistryMessage>[], now: number) => {
      const fresh = checkpoints.unapplied(source, entries);
      const registered: RegisteredOrder[] = [];
      const decisions: DecisionRecord[] = [];
      const totals = new BatchTotals((sql.totals.get() as { registered_count: number }).registered_count + 1);
      for (const { offset, content } of fresh) {
        if (content === null) continue;
        const at = { topic: source.topic, partition: source.partition, offset };
        if (content.kind === 'validation') {
          const added = register(content, at, now, totals);
          if (added) registered.push(added);
        } else {
          const decided = decide(content.change, at, now, totals);
          if (decided) decisions.push(decided);
        }
      }
      totals.flush(now);
      const outcome = checkpoints.advance(source, fresh, now);
      return { applied: outcome.applied, skipped: entries.length - fresh.length, registered, decisions };
    },
  );

  const recordValidations = db.transaction(
    (source: SourcePartition, entries: readonly Consumed<true>[], now: number) => {
      const fresh = checkpoints.unapplied(source, entries);
      const outcome = checkpoints.advance(source, fresh, now);
      return { applied: outcome.applied, skipped: entries.length - fresh.length };
    },
  );

  // The feed's oldest rows, read in cursor order up to the first one kept: no index on `at` is needed,
  // and the newest change stays so the cursor never goes back.
  const expireChanges = db.transaction((before: number, limit: number): number => {
    const newest = (sql.latestCursor.get() as { cursor: number }).cursor;
    let last: number | undefined;
    let count = 0;
    for (const row of sql.oldestChanges.all(limit) as { cursor: number; at: number }[]) {
      if (row.at >= before || row.cursor >= newest) break;
      last = row.cursor;
      count++;
    }
    if (last !== undefined) sql.deleteChangesTo.run(last);
    return count;
  });

  return {
    expireChanges: (before, limit) => settle(() => expireChanges.immediate(before, limit)),
    applyRegistryMessages: (source, entries, now) => settle(() => applyMessages.immediate(source, entries, now)),
    recordValidations: (source, entries, now) => settle(() => recordValidations.immediate(source, entries, now)),
    registered: (orderId) =>
      settle(() => {
        const row = sql.registered.get(orderId) as RegisteredRow | undefined;
        return row && registeredFromRow(row);
      }),
    history: (orderId) => settle(() => historyOf(orderId)),
    byStatus: (status, limit) =>
      settle(() => (sql.byStatus.all(status, limit) as RegisteredRow[]).map(registeredFromRow)),
    oldestPending: (limit) => settle(() => (sql.oldestPending.all(limit) as RegisteredRow[]).map(registeredFromRow)),
    totals: () => settle(() => totals.get()),
    ruleHits: () =>
      settle(() =>
        Object.fromEntries(
          (ruleTotals.all() as { rule_name: string; denied_count: number; review_count: number }[]).map((row) => [
            row.rule_name,
            { denied: row.denied_count, review: row.review_count },
          ]),
        ),
      ),
    expireDecisions: (before, limit) => settle(() => sql.expireDecisions.run(before, limit).changes),
    decision: (requestId) =>
      settle(() => {
        const row = sql.decision.get(requestId) as DecisionRow | undefined;
        return row && decisionFromRow(row);
      }),
    sources: (orderId) => settle(() => sourcesOf(orderId)),
    processingStats: (processorId) => settle(() => checkpoints.stats(processorId)),
    statuses: (orderIds) =>
      settle(() => {
        const rows = sql.statuses.all(JSON.stringify(orderIds)) as { order_id: string; status: OrderStatus }[];
        return new Map(rows.map((r) => [r.order_id, r.status]));
      }),
    changesSince: (cursor, limit) =>
      settle(() =>
        (sql.changesSince.all(cursor, limit) as ChangeRow[]).map((row): RegistryChange => ({
          cursor: row.cursor,
          kind: row.kind,
          orderId: row.order_id,
          status: row.change_status,
          previousStatus: row.previous_status,
          version: row.change_version,
          at: row.at,
          order: registeredFromRow(row).order,
        })),
      ),
    latestCursor: () => settle(() => (sql.latestCursor.get() as { cursor: number }).cursor),
  };
}
