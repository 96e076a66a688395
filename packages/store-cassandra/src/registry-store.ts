import { historyWithRegistration } from '@kafka-monitor/domain';
import type { EffectSource, OrderStatus, RegistryChange, RegistryStore } from '@kafka-monitor/domain';
import { bucketMarks, expireBuckets, newestFirst, oldestFirst } from './buckets.js';
import { createChangeFeed } from './change-feed.js';
import { MAX_IN_KEYS, QUERIES_IN_FLIGHT, chunksOf, forEachLimited, mapLimited } from './concurrency.js';
import { bucketOf, num, optStr, positionOfToken, str } from './rows.js';
import { CLAIM_SETTINGS, claimsPerOrder, type Keyspaces } from './schema.js';
import type { Session } from './session.js';
import { createRegistryApply } from './registry/apply-messages.js';
import { createDecide } from './registry/decide.js';
import { createLookups } from './registry/lookups.js';
import { createRegistration } from './registry/register.js';
import { decisionFromRow, registrationFromRow, updateFromRow } from './registry/rows.js';
import { createShards } from './registry/shards.js';
import { DECISIONS_SERIES, GROUP, HOUR_MS, registryStatements, type RegistryContext } from './registry/statements.js';
import { createStatusIndex } from './registry/status-index.js';
import { sumStats } from './views/positions.js';

export { REGISTRY_PROCESSOR_ID } from './registry/statements.js';

/**
 * The registry on Cassandra. Registry messages are keyed by order id, so everything about one order
 * arrives through one source partition, in order. Per order the registry row is the single point of
 * truth, changed only by lightweight transactions: registration is INSERT … IF NOT EXISTS, a decision
 * is UPDATE … IF version = <read version> (and only from pending), and each request id is recorded
 * once with INSERT … IF NOT EXISTS. Claims name the log position that made them, so a batch replayed
 * after a crash recognises its own earlier writes and counts them exactly once in its shard row,
 * which (as for the views) is written USING TIMESTAMP <next offset> and carries the counts.
 */
export function createCassandraRegistryStore(
  session: Session,
  ks: Keyspaces,
  options: { readonly decisionTtlSeconds: number } = { decisionTtlSeconds: 0 },
): RegistryStore {
  const r = ks.registry;
  const marks = bucketMarks(session, r);
  const context: RegistryContext = {
    session,
    cql: registryStatements(r),
    keyspace: r,
    marks,
    decisionTtlSeconds: options.decisionTtlSeconds,
  };
  const { cql } = context;
  const feed = createChangeFeed(session, r, marks);
  const lookups = createLookups(context);
  const statusIndex = createStatusIndex(context);
  const shards = createShards(context);

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
    ...createRegistryApply({
      context,
      shards,
      registration: createRegistration(context, statusIndex),
      decide: createDecide(context, lookups, statusIndex),
      feed,
      perOrderClaims: claimsPerOrder(session, ks, CLAIM_SETTINGS.registry),
    }),
    registered: lookups.lookup,
    async history(orderId) {
      // Version 1 is in the order row; orders registered before it was kept there have it in order_updates.
      const [updates, [row]] = await Promise.all([
        session.rows(cql.history, [orderId]),
        session.rows(cql.registered, [orderId]),
      ]);
      return historyWithRegistration(
        updates.map(updateFromRow),
        row === undefined ? undefined : registrationFromRow(row),
      );
    },
    byStatus(status, limit) {
      return newestFirst(session, r, `status:${status}`, limit, async (bucket, remaining) => {
        const ids = (await session.rows(cql.byStatusBucket, [status, bucket, remaining])).map((row) =>
          str(row, 'order_id'),
        );
        const found = await lookups.lookupAll(ids);
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
        const found = await lookups.lookupAll(ids);
        // As in byStatus: the registry row is the truth, the index order (oldest first) is kept.
        return ids.flatMap((id) => {
          const order = found.get(id);
          return order !== undefined && order.status === 'pending' ? [order] : [];
        });
      });
    },
    totals: shards.totals,
    ruleHits: shards.ruleHits,
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
