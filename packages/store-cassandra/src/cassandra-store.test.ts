import { describe, expect, it } from 'vitest';
import { isDependencyError, validateOrder, type RegistryMessage } from '@kafka-monitor/domain';
import { describeStoreContract, expectedViews, makeOrder, snapshotViews } from '@kafka-monitor/testkit';
import { createCassandraStore, createStoreOnSession } from './cassandra-store.js';
import { keyspaces } from './schema.js';
import { claimChunks, claimPartition } from './claims.js';
import { estimatedBytes } from './writes.js';
import { productClaimKey } from './view-store.js';
import { MemorySession, RequestCountingSession, memoryOptions } from './memory-session.js';
import type { LwtResult, Row } from './session.js';

/*
 * Offline: the adapter's logic run through the shared contract on the in-memory CQL double
 * (memory-session.ts); the real engine test (cassandra-store.engine.test.ts) remains the authority.
 */

/**
 * Takes the store back to what schema version 2 left (no rows in `claimsTable` or store_settings,
 * migration 3 not recorded), then migrates it again as a new process would.
 */
async function migratedFromVersion2(session: MemorySession, claimsTable: string) {
  session.tables.get(claimsTable)?.rows.clear();
  session.tables.get('order_processor.store_settings')?.rows.clear();
  session.tables.get('order_processor.schema_migrations')?.rows.delete(JSON.stringify([3]));
  const upgraded = createStoreOnSession(session, memoryOptions);
  await upgraded.migrate();
  return upgraded;
}

describeStoreContract(
  'Cassandra adapter on an in-memory CQL double',
  async () => {
    const store = createStoreOnSession(new MemorySession(), memoryOptions);
    await store.migrate();
    return { store, cleanup: () => store.close() };
  },
  { propertyRuns: 25, kind: 'cassandra' },
);

describe('Cassandra adapter (offline)', () => {
  it('names keyspaces with prefix and suffix and refuses names CQL could not take', () => {
    expect(keyspaces('t1_', '_x')).toEqual({
      order: 't1_order_processor_x',
      query: 't1_query_processor_x',
      registry: 't1_registry_processor_x',
    });
    expect(() => keyspaces('bad-prefix', '')).toThrow(/invalid Cassandra keyspace/);
    expect(() => createCassandraStore({ contactPoints: [], localDataCenter: 'dc' })).toThrow(/no contact points/);
  });

  it('describes itself with the size the node estimates for its three keyspaces, other keyspaces not counted', async () => {
    const session = new MemorySession();
    session.sizeEstimates.set('order_processor', [
      { mean_partition_size: 100, partitions_count: 3 },
      { mean_partition_size: 50, partitions_count: 2 },
    ]);
    session.sizeEstimates.set('registry_processor', [{ mean_partition_size: 1_000, partitions_count: 4 }]);
    session.sizeEstimates.set('someone_else', [{ mean_partition_size: 1e9, partitions_count: 1e3 }]);
    const store = createStoreOnSession(session, memoryOptions);
    expect(await store.describe()).toEqual({
      kind: 'cassandra',
      sizeBytes: 300 + 100 + 4_000,
      sizeNote: expect.stringMatching(/estimated .*system\.size_estimates/),
    });
  });

  it('leaves the size out, with the reason, when the size estimates cannot be read', async () => {
    class NoEstimates extends MemorySession {
      override rows(cql: string, params: readonly unknown[]): Promise<Row[]> {
        return cql.includes('size_estimates')
          ? Promise.reject(new Error('User app has no SELECT permission on <table system.size_estimates>'))
          : super.rows(cql, params);
      }
    }
    const store = createStoreOnSession(new NoEstimates(), memoryOptions);
    const described = await store.describe();
    expect(described.sizeBytes).toBeNull();
    expect(described.sizeNote).toMatch(/not readable.*no SELECT permission/);
  });

  it('refuses a replication factor below one', async () => {
    const store = createStoreOnSession(new MemorySession(), { ...memoryOptions, replicationFactor: 0 });
    await expect(store.migrate()).rejects.toThrow(/replication factor/);
  });

  it("sends a batch's row writes in unlogged batches: fewer requests than orders", async () => {
    const session = new RequestCountingSession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    const orders = Array.from({ length: 200 }, (_, i) => ({
      offset: i,
      content: makeOrder({ orderId: `b${i}`, customerId: i % 20, productId: `PROD-${i % 5}`, timestamp: 1e12 + i }),
    }));
    session.requests = 0;
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, orders, 1);
    // One request per row would be over 400 for the order and timeline rows alone.
    expect(session.requests).toBeLessThan(orders.length);
    expect(session.writeBatches.length).toBeGreaterThan(0);
    expect((await store.views.timeline(500)).length).toBe(200);
    expect((await store.views.timelineEntry('b7'))?.customerId).toBe(7);
    expect((await store.views.customer(3))?.totalOrders).toBe(10);

    const source = { consumer: 'r', topic: 'registry', partition: 0 };
    const validations = orders.map(({ offset, content }) => ({
      offset,
      content: { kind: 'validation' as const, order: content, result: validateOrder(content), timestamp: 1 },
    }));
    session.requests = 0;
    const outcome = await store.registry.applyRegistryMessages(source, validations, 10);
    expect(outcome.registered).toHaveLength(200);
    // Two rows per registration: 400 requests if each went on its own.
    expect(session.requests).toBeLessThan(orders.length);
    expect((await store.registry.history('b7')).map((u) => u.version)).toEqual([1]);
  });

  it('walks the timeline across time buckets, newest first', async () => {
    const store = createStoreOnSession(new MemorySession(), { ...memoryOptions, timelineBucketMs: 10 });
    await store.migrate();
    const orders = Array.from({ length: 100 }, (_, i) => ({
      offset: i,
      content: makeOrder({ orderId: `o${String(i).padStart(3, '0')}`, timestamp: i * 3 }),
    }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, orders, 1);
    const timeline = await store.views.timeline(80);
    expect(timeline.map((t) => t.orderId)).toEqual(
      orders
        .slice(20)
        .reverse()
        .map((o) => o.content.orderId),
    );
    await store.produced.saveProduced(orders.map((o) => o.content));
    expect((await store.produced.recentProduced(3)).map((o) => o.orderId)).toEqual(['o099', 'o098', 'o097']);
  });

  it("counts the orders produced in the original's statistics counter, one write per batch", async () => {
    const session = new MemorySession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    await store.produced.saveProduced([1, 2, 3].map((i) => makeOrder({ orderId: `s${i}` })));
    await store.produced.saveProduced([4, 5].map((i) => makeOrder({ orderId: `s${i}` })));
    await store.produced.saveProduced([]);
    const rows = await session.rows('SELECT * FROM order_processor.statistics', []);
    expect(rows).toEqual([{ metric: 'orders_produced', value: 5 }]);
  });

  it('reads a timeline table made before it clustered order_id ascending in the same order', async () => {
    const session = new MemorySession();
    // Schema version 1 as it was: order_id descending within a timestamp.
    await session.ddl(`CREATE TABLE IF NOT EXISTS query_processor.orders_timeline (
         bucket_id int, timestamp timestamp, order_id text, customer_id int, product_id text, quantity int,
         unit_price double, total double, status text, unit_price_cents bigint, total_cents bigint,
         PRIMARY KEY ((bucket_id), timestamp, order_id)
       ) WITH CLUSTERING ORDER BY (timestamp DESC, order_id DESC)`);
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    expect(session.tables.get('query_processor.orders_timeline')?.clustering).toEqual([
      { name: 'timestamp', desc: true },
      { name: 'order_id', desc: true },
    ]);
    const orders = ['b', 'd', 'a', 'c'].map((id, i) => ({
      offset: i,
      content: makeOrder({ orderId: id, timestamp: 5 }),
    }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, orders, 1);
    expect((await store.views.timeline(2)).map((t) => t.orderId)).toEqual(['d', 'c']);
    const fresh = new MemorySession();
    await createStoreOnSession(fresh, memoryOptions).migrate();
    expect(fresh.tables.get('query_processor.orders_timeline')?.clustering).toEqual([
      { name: 'timestamp', desc: true },
      { name: 'order_id', desc: false },
    ]);
  });

  it('counts a batch once when a crash came after its effects but before its position', async () => {
    const session = new MemorySession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    const source = { consumer: 'q', topic: 'orders', partition: 0 };
    const batch = [0, 1, 2].map((i) => ({ offset: i, content: makeOrder({ orderId: `c${i}`, totalCents: 100 }) }));
    await store.views.applyOrders(source, batch, 1);
    // Forget the position only, as if the process died right before writing it.
    session.tables.get('query_processor.source_positions')?.rows.clear();
    expect(await store.views.applyOrders(source, batch, 2)).toEqual({ applied: 3, skipped: 0 });
    expect(await store.views.customer(1)).toMatchObject({ totalOrders: 3, totalSpentCents: 300 });
    expect(await store.views.totals()).toEqual({
      totalOrders: 3,
      totalSpentCents: 300,
      customerCount: 1,
      productCount: 1,
    });
  });

  it('counts a dead letter under its own status when a crash left it indexed under two', async () => {
    class CrashingSession extends MemorySession {
      crashOnUnindex = false;
      override write(cql: string, params: readonly unknown[]): Promise<void> {
        if (this.crashOnUnindex && cql.startsWith('DELETE FROM') && cql.includes('dead_letters_by_status')) {
          return Promise.reject(new Error('process died'));
        }
        return super.write(cql, params);
      }
    }
    const session = new CrashingSession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    const letter = (offset: number) => ({
      id: `registry:0:${offset}`,
      topic: 'registry',
      partition: 0,
      offset,
      key: null,
      value: new Uint8Array([1]),
      headers: {},
      group: 'registry-processor',
      reason: 'not UTF-8 text',
      failedAt: offset,
    });
    await store.deadLetters.record([letter(1), letter(2)], 1);
    session.crashOnUnindex = true;
    await expect(store.deadLetters.transition('registry:0:1', 'pending', 'discarded', 2)).rejects.toThrow(/died/);
    expect((await store.deadLetters.reasons('pending')).map((r) => r.count)).toEqual([2]);
    const counts = await store.deadLetters.counts();
    expect([...counts].sort((a, b) => a.status.localeCompare(b.status))).toEqual([
      { topic: 'registry', reason: 'not UTF-8 text', status: 'discarded', count: 1 },
      { topic: 'registry', reason: 'not UTF-8 text', status: 'pending', count: 1 },
    ]);
  });

  it('puts each change of a repeated registry batch in the feed once when the first attempt failed after appending', async () => {
    const session = new MemorySession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    const source = { consumer: 'registry-processor', topic: 'orders', partition: 0 };
    const messages = (ids: string[], first: number) =>
      ids.map((id, i) => {
        const order = makeOrder({ orderId: id });
        const content: RegistryMessage = { kind: 'validation', order, result: validateOrder(order), timestamp: 1 };
        return { offset: first + i, content };
      });
    await store.registry.applyRegistryMessages(source, messages(['r0', 'r1', 'r2'], 0), 1);
    // The feed got the batch, its position did not (the store went away in between): the batch comes
    // again, here with one more message, as the next fetch may bring.
    session.tables.get('registry_processor.source_positions')?.rows.clear();
    await store.registry.applyRegistryMessages(source, messages(['r0', 'r1', 'r2', 'r3'], 0), 2);
    const feed = await store.registry.changesSince(0, 100);
    expect(feed.map((c) => c.orderId)).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect((await store.registry.totals()).registeredCount).toBe(4);
  });

  it('appends to the change feed after its own last row without reading the newest row, gap-free across writers', async () => {
    class FeedReadingSession extends MemorySession {
      newestRowReads = 0;
      override rows(cql: string, params: readonly unknown[]): Promise<Row[]> {
        if (cql.includes('registry_changes') && cql.includes('ORDER BY seq DESC')) this.newestRowReads++;
        return super.rows(cql, params);
      }
    }
    const session = new FeedReadingSession();
    const [one, other] = [0, 1].map(() => createStoreOnSession(session, memoryOptions));
    await one?.migrate();
    const register = async (store: typeof one, partition: number, offset: number, id: string) => {
      const order = makeOrder({ orderId: id });
      const content: RegistryMessage = { kind: 'validation', order, result: validateOrder(order), timestamp: 1 };
      const source = { consumer: 'registry-processor', topic: 'orders', partition };
      await store?.registry.applyRegistryMessages(source, [{ offset, content }], 1);
    };
    await register(one, 0, 0, 'f0');
    const afterFirst = session.newestRowReads;
    await register(one, 0, 1, 'f1');
    await register(one, 0, 2, 'f2');
    expect(session.newestRowReads).toBe(afterFirst);
    // Another writer appends in between: this store's next append is refused once and reads again.
    await register(other, 1, 0, 'g0');
    await register(one, 0, 3, 'f3');
    expect(session.newestRowReads).toBeGreaterThan(afterFirst);
    const feed = (await one?.registry.changesSince(0, 100)) ?? [];
    expect(feed.map((c) => c.orderId)).toEqual(['f0', 'f1', 'f2', 'g0', 'f3']);
    const seqs = [...(session.tables.get('registry_processor.registry_changes')?.rows.values() ?? [])]
      .map((r) => Number(r.values.seq))
      .sort((a, b) => a - b);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails a registry batch with a retryable error instead of looping when the feed refuses every append', async () => {
    // A feed whose appends are always refused (its newest row reads as an old number) must not hold the
    // batch forever: the consumer retries it later with a backoff.
    class RefusingSession extends MemorySession {
      override lwt(cql: string, params: readonly unknown[]): Promise<LwtResult> {
        if (cql.includes('registry_changes')) return Promise.resolve({ applied: false, current: undefined });
        return super.lwt(cql, params);
      }
    }
    const store = createStoreOnSession(new RefusingSession(), memoryOptions);
    await store.migrate();
    const order = makeOrder({ orderId: 'stuck' });
    const error: unknown = await store.registry
      .applyRegistryMessages(
        { consumer: 'registry-processor', topic: 'orders', partition: 0 },
        [{ offset: 0, content: { kind: 'validation', order, result: validateOrder(order), timestamp: 1 } }],
        1,
      )
      .catch((e: unknown) => e);
    expect(isDependencyError(error) && error.dependency === 'store' && error.retryable).toBe(true);
    expect(String(error)).toMatch(/refused 16 appends/);
  });

  it('counts orders with an empty product id, which no Cassandra table can take as its whole key', async () => {
    // Regression: '' is a legal wire product id (the rules deny it, the views count it). Claiming it
    // as product_claims' partition key failed every redelivery of the batch, so the partition's
    // position never moved and the views stayed at zero in a multi-process run.
    const store = createStoreOnSession(new MemorySession(), memoryOptions);
    await store.migrate();
    const log = Array.from({ length: 30 }, (_, i) =>
      makeOrder({ orderId: `e${i}`, productId: i % 3 === 0 ? '' : `PROD-00${i % 2}`, totalCents: 100 + i }),
    );
    const source = (partition: number) => ({ consumer: 'q', topic: 'orders', partition });
    for (let p = 0; p < 3; p++) {
      const entries = log.slice(p * 10, p * 10 + 10).map((content, offset) => ({ offset, content }));
      // A replay of the first half (as after a rebalance) must change nothing.
      await store.views.applyOrders(source(p), entries.slice(0, 5), 1);
      await store.views.applyOrders(source(p), entries, 2);
    }
    expect(await snapshotViews(store.views)).toEqual(expectedViews(log));
    expect((await store.views.product(''))?.orderCount).toBe(10);
  });

  it('claims the order ids of a batch in one conditional batch per claims partition, not one LWT each', async () => {
    class CountingSession extends MemorySession {
      orderLwts = 0;
      override lwt(cql: string, params: readonly unknown[]): Promise<LwtResult> {
        if (cql.includes('counted_orders')) this.orderLwts++;
        return super.lwt(cql, params);
      }
    }
    const session = new CountingSession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    // Two days, so the 60 orders fall in more partitions than one and fewer than 60.
    const log = Array.from({ length: 60 }, (_, i) =>
      makeOrder({ orderId: `c${i}`, timestamp: 1_700_000_000_000 + (i % 2) * 86_400_000 }),
    );
    const partitions = new Set(log.map((o) => JSON.stringify(claimPartition(o.orderId, o.timestamp))));
    expect(partitions.size).toBeGreaterThan(2);
    expect(partitions.size).toBeLessThan(log.length);
    const entries = log.map((content, offset) => ({ offset, content }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, entries, 1);
    expect(session.orderLwts).toBe(0);
    expect(session.batches).toBe(partitions.size);
    expect(await snapshotViews(store.views)).toEqual(expectedViews(log));
    expect((await store.views.timelineEntry('c7'))?.orderId).toBe('c7');
  });

  it('counts an order id once when a batch of claims is refused for one id another partition holds', async () => {
    const store = createStoreOnSession(new MemorySession(), memoryOptions);
    await store.migrate();
    // Three ids in one claims partition: the shared one makes the second partition's batch fail whole.
    const target = JSON.stringify(claimPartition('s0', makeOrder().timestamp));
    const ids = Array.from({ length: 200 }, (_, i) => `s${i}`).filter(
      (id) => JSON.stringify(claimPartition(id, makeOrder().timestamp)) === target,
    );
    const [shared = '', first = '', second = ''] = ids;
    expect(second).not.toBe('');
    const orders = (list: string[]) => list.map((orderId, offset) => ({ offset, content: makeOrder({ orderId }) }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, orders([shared]), 1);
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 1 }, orders([first, shared, second]), 2);
    expect((await store.views.totals()).totalOrders).toBe(3);
    // A third partition carrying two of those ids again counts neither.
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 2 }, orders([second, first]), 3);
    expect((await store.views.totals()).totalOrders).toBe(3);
  });

  it('claims more ids than one conditional batch holds in several, each settling its own refusals', async () => {
    const session = new MemorySession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    // 600 ids of one claims partition: three batches of at most 250. Two ids of the second are held
    // by another partition already, so that batch is refused once and retried without them.
    const target = JSON.stringify(claimPartition('k0', makeOrder().timestamp));
    const ids: string[] = [];
    for (let i = 0; ids.length < 600; i++) {
      if (JSON.stringify(claimPartition(`k${i}`, makeOrder().timestamp)) === target) ids.push(`k${i}`);
    }
    const held = [ids[300] ?? '', ids[350] ?? ''];
    const orders = (list: string[]) => list.map((orderId, offset) => ({ offset, content: makeOrder({ orderId }) }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 1 }, orders(held), 1);
    const batchesBefore = session.batches;
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, orders(ids), 2);
    expect(session.batches - batchesBefore).toBe(4);
    expect((await store.views.totals()).totalOrders).toBe(600);
  });

  it('bounds a conditional batch of claims in rows and, for long ids, in data', () => {
    const request = (orderId: string) => ({ orderId, orderTimestamp: 0, token: 'q/orders/0/1', values: [] });
    const short = claimChunks(
      0,
      0,
      Array.from({ length: 600 }, (_, i) => request(`k${i}`)),
    );
    expect(short.map((c) => c.length)).toEqual([250, 250, 100]);
    const long = claimChunks(
      0,
      0,
      Array.from({ length: 200 }, (_, i) => request(`${i}`.padEnd(256, 'x'))),
    );
    expect(long.flat()).toHaveLength(200);
    expect(long.length).toBeGreaterThan(2);
    for (const chunk of long) {
      const bytes = chunk.reduce((sum, r) => sum + estimatedBytes([0, 0, r.orderId, r.token]), 0);
      expect(bytes).toBeLessThanOrEqual(32_768);
    }
  });

  it('fails a batch with a retryable store error when a refused claim batch names no claimed id', async () => {
    // A refusal that the SERIAL read cannot explain must not spin: the consumer retries the batch later.
    class RefusingSession extends MemorySession {
      override lwtBatch(): Promise<boolean> {
        return Promise.resolve(false);
      }
    }
    const store = createStoreOnSession(new RefusingSession(), memoryOptions);
    await store.migrate();
    const error: unknown = await store.views
      .applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, [{ offset: 0, content: makeOrder() }], 1)
      .catch((e: unknown) => e);
    expect(isDependencyError(error) && error.dependency === 'store' && error.retryable).toBe(true);
    expect(String(error)).toMatch(/refused, yet none of its ids is claimed/);
  });

  it('asks for a customer claim once per store, since a claim never changes', async () => {
    class CountingSession extends MemorySession {
      claimReads = 0;
      override rows(cql: string, params: readonly unknown[]): Promise<Row[]> {
        if (cql.includes('customer_claims')) this.claimReads++;
        return super.rows(cql, params);
      }
    }
    const session = new CountingSession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    const batch = (first: number, partition: number) =>
      Array.from({ length: 10 }, (_, i) => ({
        offset: first + i,
        content: makeOrder({ orderId: `m${partition}-${first + i}`, customerId: (i % 5) + 1 }),
      }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, batch(0, 0), 1);
    expect(session.claimReads).toBe(5);
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, batch(10, 0), 2);
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 1 }, batch(0, 1), 3);
    expect(session.claimReads).toBe(5);
    expect((await store.views.totals()).customerCount).toBe(5);
    // Another store (another process) asks again, and counts none of them a second time.
    const other = createStoreOnSession(session, memoryOptions);
    await other.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 2 }, batch(0, 2), 4);
    expect(session.claimReads).toBe(10);
    expect((await other.views.totals()).customerCount).toBe(5);
  });

  it('keeps claiming per order in a store that counted orders before batched claims existed', async () => {
    const session = new MemorySession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    // The store as version 2 left it: an order counted in counted_orders, migration 3 not yet applied.
    const before = makeOrder({ orderId: 'old-1' });
    await store.views.applyOrders(
      { consumer: 'q', topic: 'orders', partition: 0 },
      [{ offset: 0, content: before }],
      1,
    );
    const upgraded = await migratedFromVersion2(session, 'query_processor.order_claims');
    const batchesBefore = session.batches;
    // The same order resent to another partition after the upgrade: its claim is in counted_orders.
    const again = [
      { offset: 0, content: before },
      { offset: 1, content: makeOrder({ orderId: 'new-1' }) },
    ];
    await upgraded.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 1 }, again, 2);
    expect((await upgraded.views.totals()).totalOrders).toBe(2);
    expect(session.batches).toBe(batchesBefore);
  });

  describe('registration claims', () => {
    const source = { consumer: 'registry-processor', topic: 'registry', partition: 0 };
    const validation = (order: ReturnType<typeof makeOrder>): RegistryMessage => ({
      kind: 'validation',
      order,
      result: validateOrder(order),
      timestamp: 1,
    });
    const decision = (orderId: string, requestId: string): RegistryMessage => ({
      kind: 'status-change',
      change: { orderId, newStatus: 'accepted', reason: 'ok', requestedAt: 5, requestId, requestedBy: 'test' },
    });
    class CountingSession extends MemorySession {
      registrationLwts = 0;
      override lwt(cql: string, params: readonly unknown[]): Promise<LwtResult> {
        if (cql.includes('INSERT INTO registry_processor.registered_orders')) this.registrationLwts++;
        return super.lwt(cql, params);
      }
    }

    it('claims the registrations of a batch in conditional batches, not one LWT per order', async () => {
      const session = new CountingSession();
      const store = createStoreOnSession(session, memoryOptions);
      await store.migrate();
      const orders = Array.from({ length: 40 }, (_, i) => makeOrder({ orderId: `g${i}` }));
      const entries = orders.map((o, offset) => ({ offset, content: validation(o) }));
      const outcome = await store.registry.applyRegistryMessages(source, entries, 10);
      expect(outcome.registered).toHaveLength(40);
      expect(session.registrationLwts).toBe(0);
      const claimPartitions = new Set(orders.map((o) => JSON.stringify(claimPartition(o.orderId, o.timestamp))));
      expect(session.batches).toBe(claimPartitions.size);
      expect((await store.registry.registered('g3'))?.registeredAt).toBe(10);
      expect((await store.registry.totals()).registeredCount).toBe(40);
    });

    it('decides an order registered earlier in the same batch', async () => {
      const session = new MemorySession();
      const store = createStoreOnSession(session, memoryOptions);
      await store.migrate();
      const order = makeOrder({ orderId: 'same', totalCents: 5_000 });
      const outcome = await store.registry.applyRegistryMessages(
        source,
        [
          { offset: 0, content: validation(order) },
          { offset: 1, content: decision('same', 'req-same') },
        ],
        10,
      );
      expect(outcome.decisions.map((d) => d.applied)).toEqual([true]);
      const now = await store.registry.registered('same');
      expect(now?.status).toBe('accepted');
      expect((await store.registry.history('same')).map((u) => u.version)).toEqual([2, 1]);
    });

    it('keeps version 1 of the history in the order row, and reads it from order_updates for orders registered before', async () => {
      const session = new MemorySession();
      const store = createStoreOnSession(session, memoryOptions);
      await store.migrate();
      await store.registry.applyRegistryMessages(
        source,
        [
          { offset: 0, content: validation(makeOrder({ orderId: 'row', totalCents: 5_000 })) },
          { offset: 1, content: validation(makeOrder({ orderId: 'old', totalCents: 5_000 })) },
        ],
        10,
      );
      const updates = session.tables.get('registry_processor.order_updates')?.rows;
      expect(updates?.size ?? 0).toBe(0);
      const expected = await store.registry.history('row');
      expect(expected).toEqual([
        {
          orderId: 'row',
          version: 1,
          previousStatus: null,
          newStatus: 'pending',
          updatedAt: 10,
          reason: expect.any(String) as string,
          requestId: null,
          requestedBy: null,
        },
      ]);
      // 'old' as an earlier release left it: version 1 in order_updates, nothing of it in the order row.
      const v1 = (await store.registry.history('old'))[0];
      if (v1 === undefined) throw new Error('no version 1');
      await session.write(
        `INSERT INTO registry_processor.order_updates
          (order_id, version, previous_status, new_status, updated_at, update_reason, request_id, requested_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ['old', 1, null, v1.newStatus, v1.updatedAt, 'stored reason', null, null],
      );
      await session.write(
        'UPDATE registry_processor.registered_orders SET initial_status = ?, registration_reason = ? WHERE order_id = ?',
        [null, null, 'old'],
      );
      await store.registry.applyRegistryMessages(source, [{ offset: 2, content: decision('old', 'req-old') }], 20);
      await store.registry.applyRegistryMessages(source, [{ offset: 3, content: decision('row', 'req-row') }], 20);
      expect((await store.registry.history('old')).map((u) => [u.version, u.reason])).toEqual([
        [2, expect.any(String)],
        [1, 'stored reason'],
      ]);
      expect((await store.registry.history('row')).map((u) => u.version)).toEqual([2, 1]);
      expect((await store.registry.history('row'))[1]).toEqual(expected[0]);
    });

    it('keeps a decision when the registration it followed is applied again late', async () => {
      const session = new MemorySession();
      const store = createStoreOnSession(session, memoryOptions);
      await store.migrate();
      const order = makeOrder({ orderId: 'late', totalCents: 5_000 });
      await store.registry.applyRegistryMessages(source, [{ offset: 0, content: validation(order) }], 10);
      expect((await store.registry.registered('late'))?.status).toBe('pending');
      await store.registry.applyRegistryMessages(source, [{ offset: 1, content: decision('late', 'req-1') }], 20);
      // A consumer that lost the partition writes its registration once more, after the decision.
      session.tables.get('registry_processor.source_positions')?.rows.clear();
      await store.registry.applyRegistryMessages(source, [{ offset: 0, content: validation(order) }], 30);
      const now = await store.registry.registered('late');
      expect(now?.status).toBe('accepted');
      expect(now?.version).toBe(2);
      expect(now?.registeredAt).toBe(10);
    });

    it('writes a registration whose claim was made before a crash, once, at the first time', async () => {
      const session = new MemorySession();
      const store = createStoreOnSession(session, memoryOptions);
      await store.migrate();
      const order = makeOrder({ orderId: 'half' });
      await store.registry.applyRegistryMessages(source, [{ offset: 0, content: validation(order) }], 10);
      // The claim stands; the row, its history and the position did not make it.
      for (const table of ['registered_orders', 'order_updates', 'source_positions']) {
        session.tables.get(`registry_processor.${table}`)?.rows.clear();
      }
      const outcome = await store.registry.applyRegistryMessages(
        source,
        [{ offset: 0, content: validation(order) }],
        30,
      );
      expect(outcome.registered.map((r) => r.registeredAt)).toEqual([10]);
      expect((await store.registry.registered('half'))?.registeredAt).toBe(10);
      expect((await store.registry.history('half')).map((u) => u.version)).toEqual([1]);
      expect((await store.registry.totals()).registeredCount).toBe(1);
    });

    it('keeps registering per order in a store that registered orders before registration claims existed', async () => {
      const session = new CountingSession();
      const store = createStoreOnSession(session, memoryOptions);
      await store.migrate();
      const order = makeOrder({ orderId: 'before' });
      await store.registry.applyRegistryMessages(source, [{ offset: 0, content: validation(order) }], 10);
      // The store as version 2 left it: the registration in registered_orders, no claims table rows.
      const upgraded = await migratedFromVersion2(session, 'registry_processor.registration_claims');
      const other = { ...source, partition: 1 };
      const entries = [
        { offset: 0, content: validation(order) },
        { offset: 1, content: validation(makeOrder({ orderId: 'after' })) },
      ];
      const outcome = await upgraded.registry.applyRegistryMessages(other, entries, 20);
      expect(outcome.registered.map((r) => r.order.orderId)).toEqual(['after']);
      expect(session.registrationLwts).toBe(2);
      expect((await upgraded.registry.totals()).registeredCount).toBe(2);
    });
  });

  it('indexes the idempotency keys a keyspace held before retention when it upgrades, so they expire too', async () => {
    const session = new MemorySession();
    const store = createStoreOnSession(session, memoryOptions);
    await store.migrate();
    const day = 86_400_000;
    const now = 1_700_000_000_000;
    await store.control.reserveIdempotencyKey('before-retention', 'order-1', 'f', now - 3 * day);
    // As a keyspace migrated before version 7: the key without its hour index, version 7 not recorded.
    session.tables.get('order_processor.idempotency_keys_by_hour')?.rows.clear();
    session.tables.get('order_processor.schema_migrations')?.rows.delete(JSON.stringify([7]));
    expect(await store.control.expireIdempotencyKeys(now - day, 10)).toBe(0);
    const upgraded = createStoreOnSession(session, memoryOptions);
    await upgraded.migrate();
    expect(await upgraded.control.expireIdempotencyKeys(now - day, 10)).toBe(1);
    expect((await upgraded.control.reserveIdempotencyKey('before-retention', 'order-2', 'g', now)).created).toBe(true);
  });

  it('keeps the change feed numbered from its newest row when every older row expired', async () => {
    const store = createStoreOnSession(new MemorySession(), memoryOptions);
    await store.migrate();
    const registry = { consumer: 'registry-processor', topic: 'registry', partition: 0 };
    const validation = (order: ReturnType<typeof makeOrder>): RegistryMessage => ({
      kind: 'validation',
      order,
      result: validateOrder(order),
      timestamp: 1,
    });
    await store.registry.applyRegistryMessages(
      registry,
      [{ offset: 0, content: validation(makeOrder({ orderId: 'a' })) }],
      1_000,
    );
    await store.registry.applyRegistryMessages(
      registry,
      [{ offset: 1, content: validation(makeOrder({ orderId: 'b' })) }],
      2_000,
    );
    const newest = await store.registry.latestCursor();
    expect(await store.registry.expireChanges(10_000, 100)).toBe(1);
    expect(await store.registry.latestCursor()).toBe(newest);
    await store.registry.applyRegistryMessages(
      registry,
      [{ offset: 2, content: validation(makeOrder({ orderId: 'c' })) }],
      3_000,
    );
    const next = await store.registry.changesSince(0, 10);
    expect(next.map((c) => c.orderId)).toEqual(['b', 'c']);
    expect(next[1]?.cursor).toBeGreaterThan(newest);
  });

  it('escapes product claim keys injectively and never to an empty key', () => {
    const ids = ['', '\u0000', '\u0000\u0000', 'a', '\u0000a', 'PROD-001'];
    const keys = ids.map(productClaimKey);
    expect(new Set(keys).size).toBe(ids.length);
    expect(keys.every((k) => k !== '')).toBe(true);
    expect(productClaimKey('PROD-001')).toBe('PROD-001');
  });

  it('reports an unreachable cluster as a retryable store DependencyError', async () => {
    const store = createCassandraStore({
      contactPoints: ['127.0.0.1:1'],
      localDataCenter: 'dc',
      keyspacePrefix: 'nope_',
      requestTimeoutMs: 1_000,
    });
    const error: unknown = await store.ping().catch((e: unknown) => e);
    expect(isDependencyError(error) && error.dependency === 'store' && error.retryable).toBe(true);
    await store.close();
  });
});
