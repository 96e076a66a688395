import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateOrder, isDependencyError, validateOrder, type Order } from '@kafka-monitor/domain';
import { describeStoreContract, expectedViews, makeOrder, snapshotViews } from '@kafka-monitor/testkit';
import { createCassandraStore, type CassandraStoreOptions } from './index.js';
import { MIGRATIONS } from './schema.js';

/*
 * The shared store contract against a real Cassandra (`npm run test:engines` starts one). Each
 * fixture gets its own keyspace prefix, so tests and property runs never see each other's rows, and
 * drops its keyspaces afterwards so the single node does not accumulate hundreds of tables.
 */
const contactPoint = process.env.CASSANDRA_CONTACT_POINTS?.split(',')[0] ?? process.env.CASSANDRA_HOST;
if (contactPoint === undefined || contactPoint === '') {
  throw new Error('CASSANDRA_HOST is not set: run this suite through `npm run test:engines`');
}
const address = contactPoint.includes(':') ? contactPoint : `${contactPoint}:${process.env.CASSANDRA_PORT ?? '9042'}`;
const localDataCenter = process.env.CASSANDRA_DATACENTER ?? 'datacenter1';
// Every fixture creates and drops three keyspaces (~2-4 s of schema changes on 2 cores), so the
// property's runs need more than the engines config's 60 s per test.
vi.setConfig({ testTimeout: 240_000 });
const runId = randomUUID().replaceAll('-', '').slice(0, 8);
let fixtures = 0;

const optionsFor = (prefix: string): CassandraStoreOptions => ({
  contactPoints: [address],
  localDataCenter,
  keyspacePrefix: prefix,
});

let admin: cassandra.Client;

beforeAll(async () => {
  admin = new cassandra.Client({ contactPoints: [address], localDataCenter });
  await admin.connect();
});

afterAll(async () => {
  await admin.shutdown();
});

async function dropKeyspaces(prefix: string): Promise<void> {
  for (const name of ['order_processor', 'query_processor', 'registry_processor']) {
    await admin.execute(`DROP KEYSPACE IF EXISTS ${prefix}${name}`);
  }
}

describeStoreContract(
  'Cassandra',
  async () => {
    const prefix = `t${runId}_${++fixtures}_`;
    const store = createCassandraStore(optionsFor(prefix));
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropKeyspaces(prefix);
      },
    };
  },
  { propertyRuns: Number(process.env.CASSANDRA_PROPERTY_RUNS ?? 10), kind: 'cassandra' },
);

/**
 * The original system's tables (its README's "Database Schema" and the index its migration 003 made):
 * `column type`, key columns marked `pk` (partition key), `asc` or `desc` (clustering, in order).
 */
const ORIGINAL_TABLES: Readonly<Record<string, readonly string[]>> = {
  'order_processor.orders': [
    'order_id uuid pk',
    'customer_id int',
    'product_id text',
    'quantity int',
    'unit_price decimal',
    'total decimal',
    'timestamp timestamp',
    'status text',
  ],
  'order_processor.statistics': ['metric text pk', 'value counter'],
  'query_processor.orders_by_customer': [
    'customer_id int pk',
    'first_order_timestamp timestamp',
    'last_order_id text',
    'last_order_timestamp timestamp',
    'total_orders int',
    'total_spent double',
  ],
  'query_processor.orders_by_product': [
    'product_id text pk',
    'total_quantity int',
    'total_revenue double',
    'order_count int',
    'avg_quantity double',
    'last_order_timestamp timestamp',
  ],
  'query_processor.orders_timeline': [
    'bucket_id int pk',
    'timestamp timestamp desc',
    'order_id text asc',
    'customer_id int',
    'product_id text',
    'quantity int',
    'unit_price double',
    'total double',
    'status text',
  ],
  'query_processor.processing_stats': [
    'processor_id text pk',
    'processed_count bigint',
    'error_count bigint',
    'last_processed_timestamp timestamp',
  ],
  'registry_processor.registered_orders': [
    'order_id text pk',
    'customer_id int',
    'product_id text',
    'quantity int',
    'unit_price double',
    'total double',
    'status text',
    'registered_at timestamp',
    'updated_at timestamp',
    'version int',
    'validation_passed boolean',
  ],
  'registry_processor.order_updates': [
    'order_id text pk',
    'version int desc',
    'previous_status text',
    'new_status text',
    'updated_at timestamp',
    'update_reason text',
  ],
  'registry_processor.validation_stats': [
    'processor_id text pk',
    'total_validated bigint',
    'total_approved bigint',
    'total_rejected bigint',
    'timestamp timestamp',
  ],
};

describe("Cassandra store: the original's schema", () => {
  it('has every original table with its columns, types, keys and clustering order, and the timeline index', async () => {
    const prefix = `t${runId}_schema_`;
    const store = createCassandraStore(optionsFor(prefix));
    await store.migrate();
    try {
      for (const [qualified, columns] of Object.entries(ORIGINAL_TABLES)) {
        const [keyspace = '', table = ''] = qualified.split('.');
        const rows = (
          await admin.execute(
            'SELECT column_name, type, kind, clustering_order, position FROM system_schema.columns ' +
              'WHERE keyspace_name = ? AND table_name = ?',
            [`${prefix}${keyspace}`, table],
          )
        ).rows;
        const described = (row: cassandra.types.Row): string => {
          const kind = String(row.get('kind'));
          const mark =
            kind === 'partition_key' ? ' pk' : kind === 'clustering' ? ` ${String(row.get('clustering_order'))}` : '';
          return `${String(row.get('column_name'))} ${String(row.get('type'))}${mark}`;
        };
        const keyOrder = (row: cassandra.types.Row): number =>
          (String(row.get('kind')) === 'partition_key' ? 0 : 100) + Number(row.get('position'));
        // The key is exactly the original's, in its order; every original column is there with its type.
        const key = rows.filter((r) => String(r.get('kind')) !== 'regular').sort((a, b) => keyOrder(a) - keyOrder(b));
        expect(key.map(described), qualified).toEqual(columns.filter((c) => / (pk|asc|desc)$/.test(c)));
        expect(rows.map(described), qualified).toEqual(expect.arrayContaining([...columns]));
      }
      const index = (
        await admin.execute(
          'SELECT index_name, options FROM system_schema.indexes WHERE keyspace_name = ? AND table_name = ?',
          [`${prefix}query_processor`, 'orders_timeline'],
        )
      ).rows.map((r) => [r.get('index_name'), (r.get('options') as Record<string, string>).target]);
      expect(index).toEqual([['orders_timeline_order_id_idx', 'order_id']]);
    } finally {
      await store.close();
      await dropKeyspaces(prefix);
    }
  });
});

describe('Cassandra store', () => {
  it('keeps its contents across a new connection and records each migration once', async () => {
    const prefix = `t${runId}_reopen_`;
    const first = createCassandraStore(optionsFor(prefix));
    await first.migrate();
    await first.views.applyOrders(
      { consumer: 'query-processor', topic: 'orders', partition: 0 },
      [{ offset: 0, content: makeOrder() }],
      1,
    );
    await first.close();
    const second = createCassandraStore(optionsFor(prefix));
    await second.migrate();
    expect((await second.views.totals()).totalOrders).toBe(1);
    const versions = await admin.execute(`SELECT version FROM ${prefix}order_processor.schema_migrations`);
    const recorded = versions.rows.map((r) => Number(r.get('version'))).sort((a, b) => a - b);
    expect(recorded).toEqual(MIGRATIONS.map((m) => m.version));
    await second.close();
    await dropKeyspaces(prefix);
  });

  it('migrates from several processes at once, as services starting together do', async () => {
    const prefix = `t${runId}_together_`;
    const stores = [1, 2, 3, 4].map(() => createCassandraStore(optionsFor(prefix)));
    try {
      const results = await Promise.allSettled(stores.map((s) => s.migrate()));
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'migrated'))).toEqual([
        'migrated',
        'migrated',
        'migrated',
        'migrated',
      ]);
      const columns = await admin.execute(
        'SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND column_name = ?',
        [`${prefix}query_processor`, 'counted_orders', 'applied_at'],
      );
      expect(columns.rowLength).toBe(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await dropKeyspaces(prefix);
    }
  });

  it("describes itself with a size read from the node's size estimates", async () => {
    const prefix = `t${runId}_size_`;
    const store = createCassandraStore(optionsFor(prefix));
    await store.migrate();
    const described = await store.describe();
    // A number, not null: the estimates table was readable (its rows lag new keyspaces by minutes).
    expect(described).toEqual({
      kind: 'cassandra',
      sizeBytes: expect.any(Number),
      sizeNote: expect.stringMatching(/estimated/),
    });
    await store.close();
    await dropKeyspaces(prefix);
  });

  it('fills the original tables for readers of the old schema', async () => {
    const prefix = `t${runId}_compat_`;
    const store = createCassandraStore(optionsFor(prefix));
    await store.migrate();
    const order = makeOrder({ orderId: randomUUID(), customerId: 7, totalCents: 1_234 });
    await store.views.applyOrders(
      { consumer: 'query-processor', topic: 'orders', partition: 1 },
      [{ offset: 0, content: order }],
      1,
    );
    await store.produced.saveProduced([order]);
    const customer = (
      await admin.execute(
        `SELECT total_spent, total_orders FROM ${prefix}query_processor.orders_by_customer WHERE customer_id = 7`,
      )
    ).first();
    expect([customer.get('total_spent'), customer.get('total_orders')]).toEqual([12.34, 1]);
    const produced = (
      await admin.execute(`SELECT total FROM ${prefix}order_processor.orders WHERE order_id = ${order.orderId}`)
    ).first();
    expect(String(produced.get('total'))).toBe('12.34');
    await store.produced.saveProduced([makeOrder({ orderId: randomUUID() }), makeOrder({ orderId: randomUUID() })]);
    const statistics = (await admin.execute(`SELECT metric, value FROM ${prefix}order_processor.statistics`)).rows.map(
      (r) => [r.get('metric'), Number(r.get('value'))],
    );
    expect(statistics).toEqual([['orders_produced', 3]]);
    await store.close();
    await dropKeyspaces(prefix);
  });

  it('stays exact when a zombie and the new owner apply the same partition concurrently', async () => {
    const prefix = `t${runId}_zombie_`;
    const owner = createCassandraStore(optionsFor(prefix));
    const zombie = createCassandraStore(optionsFor(prefix));
    await owner.migrate();
    const source = { consumer: 'query-processor', topic: 'orders', partition: 0 };
    const log = Array.from({ length: 24 }, (_, i) =>
      makeOrder({ orderId: `z${i % 20}`, customerId: 1 + (i % 3), totalCents: 100 + i, timestamp: 1_000 + i }),
    );
    const entries = log.map((content, offset) => ({ offset, content }));
    const batches = (size: number) =>
      Array.from({ length: Math.ceil(entries.length / size) }, (_, b) => entries.slice(b * size, b * size + size));
    // Both walk the whole partition with different batch sizes, interleaved on the wire.
    await Promise.all([
      (async () => {
        for (const batch of batches(5)) await owner.views.applyOrders(source, batch, 1);
      })(),
      (async () => {
        for (const batch of batches(3)) await zombie.views.applyOrders(source, batch, 1);
      })(),
    ]);
    expect(await snapshotViews(owner.views)).toEqual(expectedViews(log));
    expect((await owner.views.processingStats('query-processor'))?.processedCount).toBe(log.length);
    await Promise.all([owner.close(), zombie.close()]);
    await dropKeyspaces(prefix);
  });

  it('converges with three instances applying 500-order batches of three partitions, replays included', async () => {
    // Regression: the generator's anomalies include an empty product id, which Cassandra refuses as a
    // partition key. Every redelivery of such a batch failed after its order claims, so in the
    // multi-process run no partition ever committed and the views stayed at zero.
    const prefix = `t${runId}_multi_`;
    const stores = [0, 1, 2].map(() => createCassandraStore(optionsFor(prefix)));
    const store = (i: number) => {
      const found = stores[i % stores.length];
      if (found === undefined) throw new Error(`no store ${i}`);
      return found;
    };
    await store(0).migrate();
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const logs: Order[][] = [0, 1, 2].map((p) =>
      Array.from({ length: 1_000 }, (_, i) =>
        generateOrder(random, { orderId: randomUUID(), timestamp: 1_700_000_000_000 + p * 1_000 + i }, 0.1),
      ),
    );
    const log = (p: number): Order[] => logs[p] ?? [];
    // A producer retry that reached another partition: counted once, by whichever claims it first.
    for (let i = 0; i < 20; i++) log(2).splice(100 + i * 40, 0, ...log(0).slice(i * 7, i * 7 + 1));
    const expectedOrders = logs.flat();
    expect(expectedOrders.some((o) => o.productId === '')).toBe(true);
    const source = (partition: number) => ({ consumer: 'query-processor', topic: 'orders', partition });
    const slice = (p: number, from: number, to: number) =>
      log(p)
        .slice(from, to)
        .map((content, i) => ({ offset: from + i, content }));
    // Each instance owns one partition and walks it in batches of 500, while the instance that owned
    // it before a rebalance (a zombie, committed up to 250 in Kafka) still applies an overlapping
    // 250..749. Every batch starts at or before the stored position, as a Kafka consumer's does.
    await Promise.all(
      [0, 1, 2].map(async (p) => {
        await Promise.all([
          (async () => {
            for (let from = 0; from < log(p).length; from += 500) {
              await store(p).views.applyOrders(source(p), slice(p, from, from + 500), 1);
            }
          })(),
          (async () => {
            await store(p + 1).views.applyOrders(source(p), slice(p, 0, 250), 1);
            await store(p + 1).views.applyOrders(source(p), slice(p, 250, 750), 1);
          })(),
        ]);
        // A redelivery after the commit (the offset commit was lost) changes nothing.
        expect(await store(p + 2).views.applyOrders(source(p), slice(p, 500, 1_000), 2)).toEqual({
          applied: 0,
          skipped: 500,
        });
      }),
    );
    expect(await snapshotViews(store(0).views)).toEqual(expectedViews(expectedOrders));
    expect((await store(1).views.processingStats('query-processor'))?.processedCount).toBe(expectedOrders.length);
    await Promise.all(stores.map((s) => s.close()));
    await dropKeyspaces(prefix);
  });

  it("writes a full batch's rows in batches a stock node takes without a warning", async () => {
    const prefix = `t${runId}_warn_`;
    const warnings: string[] = [];
    const store = createCassandraStore({ ...optionsFor(prefix), onServerWarning: (w) => warnings.push(w) });
    await store.migrate();
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const orders = Array.from({ length: 1_000 }, (_, i) =>
      generateOrder(random, { orderId: randomUUID(), timestamp: 1_700_000_000_000 + i }, 0.1),
    );
    for (let from = 0; from < orders.length; from += 500) {
      const batch = orders.slice(from, from + 500).map((order, i) => ({ offset: from + i, content: order }));
      await store.views.applyOrders({ consumer: 'query-processor', topic: 'orders', partition: 0 }, batch, 1);
      const validations = batch.map(({ offset, content }) => ({
        offset,
        content: { kind: 'validation' as const, order: content, result: validateOrder(content), timestamp: 1 },
      }));
      const outcome = await store.registry.applyRegistryMessages(
        { consumer: 'registry-processor', topic: 'registry', partition: 0 },
        validations,
        2,
      );
      expect(outcome.registered).toHaveLength(500);
    }
    expect(await snapshotViews(store.views)).toEqual(expectedViews(orders));
    expect((await store.registry.totals()).registeredCount).toBe(1_000);
    expect(warnings).toEqual([]);
    await store.close();
    await dropKeyspaces(prefix);
  });

  it("keeps a registration's version 1 in its row, and reads a stored version 1 of an order registered before", async () => {
    const prefix = `t${runId}_v1_`;
    const store = createCassandraStore(optionsFor(prefix));
    await store.migrate();
    const source = { consumer: 'registry-processor', topic: 'registry', partition: 0 };
    const validation = (orderId: string) => {
      const order = makeOrder({ orderId, totalCents: 5_000 });
      return { kind: 'validation' as const, order, result: validateOrder(order), timestamp: 1 };
    };
    await store.registry.applyRegistryMessages(
      source,
      [
        { offset: 0, content: validation('row') },
        { offset: 1, content: validation('old') },
      ],
      10,
    );
    const registry = `${prefix}registry_processor`;
    const stored = await admin.execute(`SELECT order_id FROM ${registry}.order_updates`);
    expect(stored.rows).toHaveLength(0);
    const [first] = await store.registry.history('row');
    expect(first).toMatchObject({ orderId: 'row', version: 1, previousStatus: null, updatedAt: 10, requestId: null });
    // 'old' as an earlier release left it: version 1 in order_updates, nothing of it in the order row.
    await admin.execute(
      `INSERT INTO ${registry}.order_updates (order_id, version, previous_status, new_status, updated_at, update_reason)
       VALUES (?, 1, null, ?, ?, 'stored reason')`,
      ['old', first?.newStatus, 10],
      { prepare: true },
    );
    await admin.execute(
      `UPDATE ${registry}.registered_orders SET initial_status = null, registration_reason = null WHERE order_id = 'old'`,
    );
    expect((await store.registry.history('old')).map((u) => [u.version, u.reason])).toEqual([[1, 'stored reason']]);
    expect(await store.registry.history('row')).toEqual([first]);
    await store.close();
    await dropKeyspaces(prefix);
  });

  it('applies one of two concurrent decisions on a pending order', async () => {
    const prefix = `t${runId}_race_`;
    const a = createCassandraStore(optionsFor(prefix));
    const b = createCassandraStore(optionsFor(prefix));
    await a.migrate();
    const registry = (partition: number) => ({ consumer: 'registry-processor', topic: 'registry', partition });
    const order = makeOrder({ orderId: 'race', totalCents: 5_000 });
    await a.registry.applyRegistryMessages(
      registry(0),
      [{ offset: 0, content: { kind: 'validation', order, result: validateOrder(order), timestamp: 1 } }],
      1,
    );
    const decision = (requestId: string, newStatus: 'accepted' | 'denied') => ({
      offset: 1,
      content: {
        kind: 'status-change' as const,
        change: { orderId: 'race', newStatus, reason: null, requestedAt: 2, requestId, requestedBy: null },
      },
    });
    // Two sources (as after a repartition) race on one order: the version check lets one win.
    const [first, second] = await Promise.all([
      a.registry.applyRegistryMessages(registry(0), [decision('r-a', 'accepted')], 2),
      b.registry.applyRegistryMessages(registry(1), [decision('r-b', 'denied')], 2),
    ]);
    const applied = [...first.decisions, ...second.decisions].filter((d) => d.applied);
    expect(applied).toHaveLength(1);
    const final = await a.registry.registered('race');
    expect(final?.version).toBe(2);
    expect(final?.status).toBe(applied[0]?.requestId === 'r-a' ? 'accepted' : 'denied');
    const totals = await a.registry.totals();
    expect([totals.pendingCount, totals.acceptedCount + totals.deniedCount]).toEqual([0, 1]);
    expect((await a.registry.changesSince(0, 10)).map((c) => c.version)).toEqual([1, 2]);
    await Promise.all([a.close(), b.close()]);
    await dropKeyspaces(prefix);
  });

  it('reports an unreachable cluster as a retryable store DependencyError', async () => {
    const store = createCassandraStore({ contactPoints: ['127.0.0.1:1'], localDataCenter, keyspacePrefix: 'nope_' });
    const error: unknown = await store.ping().catch((e: unknown) => e);
    expect(isDependencyError(error) && error.dependency === 'store' && error.retryable).toBe(true);
    await store.close();
  });
});
