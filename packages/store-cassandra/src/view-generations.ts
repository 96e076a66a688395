import type { ViewGenerationStore, ViewPointer, ViewStore } from '@kafka-monitor/domain';
import { num, optNum } from './rows.js';
import { createViewKeyspace, viewKeyspace, type CassandraReplication, type Keyspaces } from './schema.js';
import type { Session } from './session.js';
import { createCassandraViewStore, type CassandraViewOptions } from './view-store.js';

const POINTER_ID = 1;
/** How old a pointer read for the API may be: one request fewer per read, a switch seen within a second. */
const POINTER_CACHE_MS = 1_000;

/**
 * Generations of the views on Cassandra: one keyspace per generation (`viewKeyspace`) and the
 * order_processor.view_generations row, moved and leased with lightweight transactions, read with
 * SERIAL consistency when it must be fresh (a move decided by Paxos is then seen).
 */
export function createCassandraViewGenerations(
  session: Session,
  ks: Keyspaces,
  options: CassandraViewOptions & { readonly replication: CassandraReplication },
): ViewGenerationStore {
  const table = `${ks.order}.view_generations`;
  const cql = {
    pointer: `SELECT reads, writes, lease_owner, lease_until FROM ${table} WHERE id = ?`,
    move: `UPDATE ${table} SET reads = ?, writes = ? WHERE id = ? IF reads = ? AND writes = ?`,
    lease: `UPDATE ${table} SET lease_owner = ?, lease_until = ? WHERE id = ? IF lease_owner = ? AND lease_until = ?`,
    release: `UPDATE ${table} SET lease_owner = ?, lease_until = ? WHERE id = ? IF lease_owner = ?`,
  };
  const stores = new Map<number, ViewStore>();
  let cached: { pointer: ViewPointer; at: number } | undefined;

  async function readRow(serial: boolean) {
    const [row] = await session.rows(cql.pointer, [POINTER_ID], { serial });
    return row;
  }

  async function readPointer(fresh: boolean): Promise<ViewPointer> {
    if (!fresh && cached !== undefined && Date.now() - cached.at < POINTER_CACHE_MS) return cached.pointer;
    const row = await readRow(fresh);
    // A store migrated by a version before the pointer existed has no row until its next migrate.
    const pointer =
      row === undefined ? { reads: 0, writes: 0 } : { reads: num(row, 'reads'), writes: num(row, 'writes') };
    cached = { pointer, at: Date.now() };
    return pointer;
  }

  function viewsOf(generation: number): ViewStore {
    let store = stores.get(generation);
    if (store === undefined) {
      store = createCassandraViewStore(
        session,
        { ...ks, query: viewKeyspace(ks, generation) },
        generation === 0 ? options : { ...options, perOrderClaims: () => Promise.resolve(false) },
      );
      stores.set(generation, store);
    }
    return store;
  }

  return {
    pointer: (opts) => readPointer(opts?.fresh === true),
    async movePointer(expected, next) {
      cached = undefined;
      const result = await session.lwt(cql.move, [
        next.reads,
        next.writes,
        POINTER_ID,
        expected.reads,
        expected.writes,
      ]);
      return result.applied;
    },
    generation: viewsOf,
    async create(generation) {
      if (generation === 0) throw new Error('views generation 0 is the original keyspace; it cannot be created again');
      const keyspace = viewKeyspace(ks, generation);
      stores.delete(generation);
      await session.ddl(`DROP KEYSPACE IF EXISTS ${keyspace}`);
      await createViewKeyspace(session, keyspace, options.replication);
    },
    async drop(generation) {
      stores.delete(generation);
      await session.ddl(`DROP KEYSPACE IF EXISTS ${viewKeyspace(ks, generation)}`);
    },
    async position(generation, source) {
      const [row] = await session.rows(
        `SELECT next_offset FROM ${viewKeyspace(ks, generation)}.source_positions
         WHERE shard_group = ? AND consumer = ? AND topic = ? AND partition = ?`,
        ['views', source.consumer, source.topic, source.partition],
      );
      return row === undefined ? 0 : num(row, 'next_offset');
    },
    async acquireLease(owner, now, ttlMs) {
      const row = await readRow(true);
      const holder = row?.lease_owner ?? null;
      const until = row === undefined ? null : optNum(row, 'lease_until');
      if (holder !== null && holder !== owner && until !== null && until >= now) return false;
      const result = await session.lwt(cql.lease, [owner, now + ttlMs, POINTER_ID, holder, until]);
      return result.applied;
    },
    async releaseLease(owner) {
      await session.lwt(cql.release, [null, null, POINTER_ID, owner]);
    },
    async lease() {
      const row = await readRow(false);
      const owner = row?.lease_owner;
      const until = row === undefined ? null : optNum(row, 'lease_until');
      return typeof owner === 'string' && until !== null ? { owner, until } : undefined;
    },
  };
}
