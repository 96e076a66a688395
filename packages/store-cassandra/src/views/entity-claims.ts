import type { Session } from '../session.js';
import type { ViewStatements } from './statements.js';

const MAX_KNOWN_CLAIMS = 100_000;

/**
 * Cassandra refuses an empty partition key ("Key may not be empty"), yet '' is a legal product id on
 * the wire: the codec admits it and only the validation rules deny it, and the views still count the
 * order. product_claims is keyed by the product id alone, so a batch holding such an order failed on
 * every redelivery and its partition never advanced. The key is escaped instead: ids that are
 * non-empty and do not start with NUL stay as they are (existing claims keep their rows), '' and the
 * NUL-led ids get one more NUL in front. The mapping is injective and never empty.
 */
export function productClaimKey(productId: string): string {
  return productId === '' || productId.startsWith('\u0000') ? `\u0000${productId}` : productId;
}

/** Whether the log position `token` counts the customer (or product) as new: it claimed it first. */
export interface EntityClaims {
  customer(customerId: number, token: string): Promise<boolean>;
  product(productId: string, token: string): Promise<boolean>;
}

/**
 * Claims of customers and products for the customer and product counts. A claim never changes once
 * made, so a holder learnt once answers every later batch without a request (a batch touches ~100
 * customers), and a plain read before the lightweight transaction avoids most of them. Bounded: past
 * MAX_KNOWN_CLAIMS a map of known holders starts again empty.
 */
export function createEntityClaims(session: Session, cql: ViewStatements): EntityClaims {
  async function claim(
    readCql: string,
    claimCql: string,
    key: unknown,
    token: string,
    holders: Map<unknown, string>,
  ): Promise<boolean> {
    const known = holders.get(key);
    if (known !== undefined) return known === token;
    const [row] = await session.rows(readCql, [key]);
    const holder =
      row !== undefined
        ? row.claimed_by
        : await session.lwt(claimCql, [key, token]).then((r) => (r.applied ? token : r.current?.claimed_by));
    if (typeof holder !== 'string') return false;
    if (holders.size >= MAX_KNOWN_CLAIMS) holders.clear();
    holders.set(key, holder);
    return holder === token;
  }
  const customers = new Map<unknown, string>();
  const products = new Map<unknown, string>();
  return {
    customer: (customerId, token) => claim(cql.customerClaim, cql.claimCustomer, customerId, token, customers),
    product: (productId, token) =>
      claim(cql.productClaim, cql.claimProduct, productClaimKey(productId), token, products),
  };
}
