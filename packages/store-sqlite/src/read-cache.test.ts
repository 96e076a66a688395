import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '@kafka-monitor/sqlite';
import { makeOrder } from '@kafka-monitor/testkit';
import { createReadCache } from './read-cache.js';
import { createSqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function twoConnections() {
  const dir = mkdtempSync(join(tmpdir(), 'read-cache-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const migrations = [
    'CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO counter VALUES (1, 0);',
  ];
  return { reader: openSqlite(file, migrations), writer: openSqlite(file, migrations), file };
}

describe('read cache', () => {
  it('reads again only after a change: its own writer invalidates, another connection moves data_version', () => {
    const { reader, writer } = twoConnections();
    let reads = 0;
    const select = reader.prepare('SELECT n FROM counter WHERE id = 1').pluck();
    const cache = createReadCache(
      reader,
      () => {
        reads += 1;
        return select.get() as number;
      },
      { recheckMs: 0 },
    );

    expect(cache.get()).toBe(0);
    expect(cache.get()).toBe(0);
    expect(reads).toBe(1);

    // This connection's own commit does not move data_version: its writer must invalidate.
    reader.prepare('UPDATE counter SET n = n + 1 WHERE id = 1').run();
    cache.invalidate();
    expect(cache.get()).toBe(1);
    expect(reads).toBe(2);

    writer.prepare('UPDATE counter SET n = n + 10 WHERE id = 1').run();
    expect(cache.get()).toBe(11);
    expect(reads).toBe(3);
    expect(cache.get()).toBe(11);
    expect(reads).toBe(3);
    reader.close();
    writer.close();
  });

  it("sees another connection's commit once recheckMs has passed", async () => {
    const { reader, writer } = twoConnections();
    const select = reader.prepare('SELECT n FROM counter WHERE id = 1').pluck();
    const cache = createReadCache(reader, () => select.get() as number, { recheckMs: 50 });
    expect(cache.get()).toBe(0);
    writer.prepare('UPDATE counter SET n = 5 WHERE id = 1').run();
    await sleep(60);
    expect(cache.get()).toBe(5);
    reader.close();
    writer.close();
  });

  it('store totals: a store sees its own batches at once and another process-like store on the file shortly after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-cache-'));
    dirs.push(dir);
    const file = join(dir, 'store.db');
    const writer = createSqliteStore({ file });
    const reader = createSqliteStore({ file });
    const source = { consumer: 'q', topic: 'orders', partition: 0 };
    expect((await reader.views.totals()).totalOrders).toBe(0);
    expect((await writer.views.totals()).totalOrders).toBe(0);

    await writer.views.applyOrders(source, [{ offset: 0, content: makeOrder({ orderId: 'a' }) }], 1);
    expect((await writer.views.totals()).totalOrders).toBe(1);
    await sleep(5);
    expect((await reader.views.totals()).totalOrders).toBe(1);

    await writer.views.applyOrders(source, [{ offset: 1, content: makeOrder({ orderId: 'b' }) }], 2);
    expect((await writer.views.totals()).totalOrders).toBe(2);
    await sleep(5);
    expect((await reader.views.totals()).totalOrders).toBe(2);
    await writer.close();
    await reader.close();
  });
});
