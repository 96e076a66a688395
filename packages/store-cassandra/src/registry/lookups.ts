import type { RegisteredOrder } from '@kafka-monitor/domain';
import { MAX_IN_KEYS, QUERIES_IN_FLIGHT, chunksOf, mapLimited } from '../concurrency.js';
import { str } from '../rows.js';
import type { Row } from '../session.js';
import { registeredFromRow } from './rows.js';
import type { RegistryContext } from './statements.js';

export type RegistryLookups = ReturnType<typeof createLookups>;

/** Reads of registered orders: SERIAL ones for deciding, plain ones for readers. */
export function createLookups({ session, cql }: RegistryContext) {
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

  return { readRegisteredRow, readRegistered, lookup, lookupAll };
}
