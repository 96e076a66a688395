import { decideStatus } from '@kafka-monitor/domain';
import type { DecisionRecord, RegisteredOrder, StatusChange, StatusUpdate } from '@kafka-monitor/domain';
import type { FeedChange } from '../change-feed.js';
import { bucketOf, optStr } from '../rows.js';
import type { RegistryLookups } from './lookups.js';
import { decisionFromRow, feedChange, registeredFromRow, updateFromRowOr, updateValues } from './rows.js';
import { DECISIONS_SERIES, HOUR_MS, type RegistryContext } from './statements.js';
import type { StatusIndex } from './status-index.js';
import type { Tally } from './tally.js';

export type Decide = ReturnType<typeof createDecide>;

/**
 * Operators' decisions: each request id decided once (status_decisions, IF NOT EXISTS), applied to a
 * pending order with a compare-and-set on its version; a replay after a crash redoes the effects.
 */
export function createDecide(
  { session, cql, marks, decisionTtlSeconds }: RegistryContext,
  lookups: RegistryLookups,
  statusIndex: StatusIndex,
) {
  const { readRegistered, readRegisteredRow } = lookups;
  const { moveStatusIndex } = statusIndex;

  async function writeUpdate(u: StatusUpdate): Promise<void> {
    await session.write(cql.insertUpdate, updateValues(u));
  }

  /** Decides a request once; returns the decision when this log position made it. */
  return async function decide(
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
      await session.write(cql.indexDecision, [bucket, record.decidedAt, record.requestId, decisionTtlSeconds]);
      const claim = await session.lwt(cql.insertDecision, [
        record.requestId,
        record.orderId,
        record.applied,
        record.reason,
        record.decidedAt,
        applied?.registered.status ?? null,
        token,
        decisionTtlSeconds,
      ]);
      if (!claim.applied && claim.current?.decided_by !== token) return undefined;
      if (!claim.applied) tally.repeated = true;
    }
    if (applied !== undefined) {
      const { registered, update } = applied;
      await writeUpdate(update);
      await moveStatusIndex(registered, 'pending', registered.status);
      changes.push(feedChange(update, registered.order));
      tally.countDecision('pending', registered);
    }
    return record;
  };
}
