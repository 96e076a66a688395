import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateOrder } from '@kafka-monitor/domain';
import { openSqlite } from '@kafka-monitor/sqlite';
import { describeStoreContract, makeOrder } from '@kafka-monitor/testkit';
import { STORE_MIGRATIONS } from './schema.js';
import { createSqliteStore } from './sqlite-store.js';

describeStoreContract(
  'SQLite (in memory)',
  () => {
    const store = createSqliteStore({ file: ':memory:' });
    return Promise.resolve({ store, cleanup: () => store.close() });
  },
  { kind: 'sqlite' },
);

describe('SQLite store', () => {
  it('trims the timeline to its retention while totals keep every order', async () => {
    const store = createSqliteStore({ file: ':memory:', timelineRetention: 10 });
    const orders = Array.from({ length: 30 }, (_, i) => ({
      offset: i,
      content: makeOrder({ orderId: `o${String(i).padStart(2, '0')}`, timestamp: 1_000 + i }),
    }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, orders, 1);
    const timeline = await store.views.timeline(100);
    expect(timeline.length).toBeGreaterThanOrEqual(10);
    expect(timeline.length).toBeLessThanOrEqual(11);
    expect(timeline[0]?.orderId).toBe('o29');
    expect((await store.views.totals()).totalOrders).toBe(30);
    await store.close();
  });

  it('describes its size as the bytes of its file and write-ahead log, growing with writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const file = join(dir, 'store.db');
    const store = createSqliteStore({ file });
    const onDisk = () => [file, `${file}-wal`].reduce((sum, f) => sum + (existsSync(f) ? statSync(f).size : 0), 0);
    const before = await store.describe();
    expect(before).toEqual({ kind: 'sqlite', sizeBytes: onDisk(), sizeNote: expect.stringMatching(/file/) });
    const orders = Array.from({ length: 500 }, (_, i) => ({
      offset: i,
      content: makeOrder({ orderId: `size-${i}`, timestamp: 1_000 + i }),
    }));
    await store.views.applyOrders({ consumer: 'q', topic: 'orders', partition: 0 }, orders, 1);
    const after = await store.describe();
    expect(after.sizeBytes).toBe(onDisk());
    expect(after.sizeBytes).toBeGreaterThan(before.sizeBytes ?? 0);
    await store.close();
    await expect(store.describe()).rejects.toThrow(/SQLite store/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps its contents across a reopen of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const file = join(dir, 'store.db');
    const first = createSqliteStore({ file });
    await first.views.applyOrders(
      { consumer: 'q', topic: 'orders', partition: 0 },
      [{ offset: 0, content: makeOrder() }],
      1,
    );
    await first.close();
    const second = createSqliteStore({ file });
    expect((await second.views.totals()).totalOrders).toBe(1);
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the history of orders registered before registrations stored version 1 in the order row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const file = join(dir, 'store.db');
    // A file at the schema before that change, with an order registered the way it was then.
    const change = STORE_MIGRATIONS.findIndex((m) => m.includes('initial_status'));
    expect(change).toBeGreaterThan(0);
    const legacy = openSqlite(file, STORE_MIGRATIONS.slice(0, change));
    legacy
      .prepare(
        `INSERT INTO registered_orders VALUES ('old', 7, 'P1', 1, 500, 500, 1000, 'created', 'pending', 2000, 2000, 1, 0,
           '[]', 1)`,
      )
      .run();
    legacy
      .prepare(
        `INSERT INTO order_updates VALUES ('old', 1, NULL, 'pending', 2000, 'Validation failed: review', NULL, NULL)`,
      )
      .run();
    legacy.close();

    const store = createSqliteStore({ file });
    const source = { consumer: 'registry-processor', topic: 'registry', partition: 0 };
    const decision = {
      kind: 'status-change' as const,
      change: {
        orderId: 'old',
        newStatus: 'accepted' as const,
        reason: 'ok',
        requestedAt: 2500,
        requestId: 'r1',
        requestedBy: 'ops',
      },
    };
    await store.registry.applyRegistryMessages(source, [{ offset: 0, content: decision }], 3000);
    expect(
      (await store.registry.history('old')).map((h) => [h.version, h.previousStatus, h.newStatus, h.reason]),
    ).toEqual([
      [2, 'pending', 'accepted', expect.any(String)],
      [1, null, 'pending', 'Validation failed: review'],
    ]);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the rule hits of orders registered before it kept them, by the status each entered with', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-'));
    const file = join(dir, 'store.db');
    const source = { consumer: 'registry-processor', topic: 'registry', partition: 0 };
    const validation = (order: ReturnType<typeof makeOrder>) => ({
      kind: 'validation' as const,
      order,
      result: validateOrder(order),
      timestamp: 1,
    });
    const first = createSqliteStore({ file });
    await first.registry.applyRegistryMessages(
      source,
      [
        { offset: 0, content: validation(makeOrder({ orderId: 'ok' })) },
        { offset: 1, content: validation(makeOrder({ orderId: 'held', totalCents: 5_000 })) },
        { offset: 2, content: validation(makeOrder({ orderId: 'no', customerId: 0 })) },
        {
          offset: 3,
          content: {
            kind: 'status-change' as const,
            change: {
              orderId: 'held',
              newStatus: 'denied' as const,
              reason: 'x',
              requestedAt: 2,
              requestId: 'r',
              requestedBy: null,
            },
          },
        },
      ],
      10,
    );
    const counted = await first.registry.ruleHits();
    await first.close();
    // The file as the schema before rule_totals left it.
    const legacy = openSqlite(file, STORE_MIGRATIONS);
    legacy.exec(`DROP TABLE rule_totals; PRAGMA user_version = ${STORE_MIGRATIONS.length - 1}`);
    legacy.close();
    const reopened = createSqliteStore({ file });
    expect(await reopened.registry.ruleHits()).toEqual(counted);
    expect(counted).toEqual({
      'price-consistency': { denied: 0, review: 1 },
      'valid-customer-id': { denied: 1, review: 0 },
    });
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
