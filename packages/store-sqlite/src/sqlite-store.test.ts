import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStoreContract, makeOrder } from '@kafka-monitor/testkit';
import { createSqliteStore } from './sqlite-store.js';

describeStoreContract('SQLite (in memory)', () => {
  const store = createSqliteStore({ file: ':memory:' });
  return Promise.resolve({ store, cleanup: () => store.close() });
});

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
});
