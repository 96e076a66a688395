import type { ApplyOutcome, Consumed, Order, SourcePartition } from '@kafka-monitor/domain';
import { QUERIES_IN_FLIGHT, mapLimited } from '../concurrency.js';
import { positionToken } from '../rows.js';
import type { Session } from '../session.js';
import { groupBy, type Counted } from './counted.js';
import type { EntityClaims } from './entity-claims.js';
import { applyShards, customerKind, productKind } from './entity-shards.js';
import type { CountOrders } from './order-counting.js';
import { processingStats, readPosition, writePosition } from './positions.js';
import type { ViewStatements } from './statements.js';
import type { createTimeline } from './timeline.js';

export interface ApplyOrdersDeps {
  readonly session: Session;
  readonly cql: ViewStatements;
  readonly countOrders: CountOrders;
  readonly entityClaims: EntityClaims;
  readonly timeline: ReturnType<typeof createTimeline>;
}

/**
 * ViewStore.applyOrders on Cassandra: claims, then idempotent effects, then the position row that
 * commits the batch (see createCassandraViewStore for why a replay or a zombie changes nothing).
 */
export function createApplyOrders(deps: ApplyOrdersDeps) {
  const { session, cql, countOrders, entityClaims, timeline } = deps;
  const customers = customerKind(cql);
  const products = productKind(cql);

  return async function applyOrders(
    source: SourcePartition,
    entries: readonly Consumed<Order>[],
    now: number,
  ): Promise<ApplyOutcome> {
    const position = await readPosition(session, cql, source);
    const fresh = entries.filter((e) => e.offset >= position.nextOffset);
    const last = fresh.at(-1);
    if (last === undefined) return { applied: 0, skipped: entries.length };
    const end = last.offset + 1;
    const token = (offset: number) => positionToken(source.consumer, source.topic, source.partition, offset);

    // 1. Claim order ids: the first occurrence of an id in this batch asks; the claim decides.
    const firsts = new Map<string, Counted>();
    for (const e of fresh) {
      if (e.content !== null && !firsts.has(e.content.orderId)) {
        firsts.set(e.content.orderId, { offset: e.offset, order: e.content });
      }
    }
    const { counted, rows } = await countOrders([...firsts.values()], token, now);

    // 2. Effects, all idempotent: order rows, entity claims, entity shards (and the original tables).
    await timeline.write(counted, rows);
    const byCustomer = groupBy(counted, (o) => o.customerId);
    const byProduct = groupBy(counted, (o) => o.productId);
    const [customerClaims, productClaims] = await Promise.all([
      mapLimited([...byCustomer], QUERIES_IN_FLIGHT, ([id, group]) =>
        entityClaims.customer(id, token(group[0]?.offset ?? 0)),
      ),
      mapLimited([...byProduct], QUERIES_IN_FLIGHT, ([id, group]) =>
        entityClaims.product(id, token(group[0]?.offset ?? 0)),
      ),
    ]);
    await Promise.all([
      applyShards(session, customers, source, byCustomer, end),
      applyShards(session, products, source, byProduct, end),
    ]);

    // 3. Commit: the position row, written for offset `end`, carries this partition's totals.
    const errors = fresh.filter((e) => e.content === null).length;
    await writePosition(
      session,
      cql,
      source,
      end,
      {
        nextOffset: end,
        processed: position.processed + fresh.length - errors,
        errors: position.errors + errors,
        totalOrders: position.totalOrders + counted.length,
        spentCents: position.spentCents + counted.reduce((s, c) => s + c.order.totalCents, 0),
        customers: position.customers + customerClaims.filter(Boolean).length,
        products: position.products + productClaims.filter(Boolean).length,
      },
      now,
    );
    const stats = await processingStats(session, cql, source.consumer);
    if (stats !== undefined) {
      await session.write(cql.mirrorStats, [
        stats.processorId,
        stats.processedCount,
        stats.errorCount,
        stats.lastProcessedTimestamp,
      ]);
    }
    return { applied: fresh.length, skipped: entries.length - fresh.length };
  };
}
