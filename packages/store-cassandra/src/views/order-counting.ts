import type { Order } from '@kafka-monitor/domain';
import { createOrderClaims } from '../claims.js';
import { QUERIES_IN_FLIGHT, mapLimited } from '../concurrency.js';
import type { Session } from '../session.js';
import type { PartitionWrite } from '../writes.js';
import type { Counted } from './counted.js';
import type { ViewStatements } from './statements.js';

/** The orders of a batch this log position counts, and the counted_orders rows still to write for them. */
export type CountOrders = (
  firsts: readonly Counted[],
  token: (offset: number) => string,
  now: number,
) => Promise<{ counted: Counted[]; rows: PartitionWrite[] }>;

/** The values of a counted_orders row, in the column order of claimOrder and writeCountedOrder. */
function countedOrderValues(token: string, order: Order, now: number): unknown[] {
  return [
    order.orderId,
    token,
    order.customerId,
    order.productId,
    order.quantity,
    order.unitPriceCents,
    order.totalCents,
    order.timestamp,
    order.status,
    now,
  ];
}

/** Per-order claims in counted_orders, for a store that counted orders before order_claims existed. */
function perOrder(session: Session, cql: ViewStatements): CountOrders {
  return async (firsts, token, now) => {
    const claims = await mapLimited(firsts, QUERIES_IN_FLIGHT, async (c) => {
      const result = await session.lwt(cql.claimOrder, countedOrderValues(token(c.offset), c.order, now));
      return result.applied || result.current?.claimed_by === token(c.offset) ? c : null;
    });
    return { counted: claims.filter((c): c is Counted => c !== null), rows: [] };
  };
}

/** Claims in order_claims, a few conditional batches per batch; counted_orders rows written after. */
function batched(session: Session, cql: ViewStatements, claimsTable: string): CountOrders {
  const claimBatch = createOrderClaims(session, claimsTable);
  return async (firsts, token, now) => {
    const results = await claimBatch(
      firsts.map((c) => ({
        orderId: c.order.orderId,
        orderTimestamp: c.order.timestamp,
        token: token(c.offset),
        values: [],
      })),
    );
    const counted = firsts.filter((c) => {
      const kind = results.get(c.order.orderId)?.kind;
      return kind === 'new' || kind === 'again';
    });
    // The order by id, as timelineEntry reads it; the same values whenever the claim's holder writes it.
    const rows = counted.map((c) => ({
      partition: `counted_orders\u0000${c.order.orderId}`,
      cql: cql.writeCountedOrder,
      params: countedOrderValues(token(c.offset), c.order, now),
    }));
    return { counted, rows };
  };
}

/**
 * Counts orders the first time an id is claimed, choosing how once: per order (a store older than
 * order_claims, as `perOrderClaims` says) or in batched claims. A failed lookup of the setting is
 * asked again by the next batch.
 */
export function createOrderCounting(
  session: Session,
  cql: ViewStatements,
  claimsTable: string,
  perOrderClaims: () => Promise<boolean>,
): CountOrders {
  let chosen: Promise<CountOrders> | undefined;
  const choose = (): Promise<CountOrders> => {
    chosen ??= perOrderClaims().then(
      (per) => (per ? perOrder(session, cql) : batched(session, cql, claimsTable)),
      (error: unknown) => {
        chosen = undefined;
        throw error;
      },
    );
    return chosen;
  };
  return async (firsts, token, now) => {
    const { counted, rows } = await (await choose())(firsts, token, now);
    return { counted: counted.sort((a, b) => a.offset - b.offset), rows };
  };
}
