import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { validateOrder, type Order, type RegistryMessage, type Store } from '@kafka-monitor/domain';
import { makeOrder } from '@kafka-monitor/testkit';
import { createStoreOnSession } from './cassandra-store.js';
import { MAX_IN_KEYS, QUERIES_IN_FLIGHT } from './concurrency.js';
import { MemorySession, memoryOptions } from './memory-session.js';
import type { BoundStatement, LwtResult, Row } from './session.js';

/*
 * cassandra-driver fails a request at once when its connection already carries 2,048 ("All
 * connections … are busy"). Each operation of the store must keep its requests in flight bounded by a
 * constant, whatever it is asked for (a limit of 1,000, a batch of thousands of orders, orders spread
 * over many hours and days), and read many keys with IN reads of at most MAX_IN_KEYS.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The in-memory double answering one event-loop turn later, counting requests in flight and IN lists. */
class PeakSession extends MemorySession {
  inFlight = 0;
  peak = 0;
  requests = 0;
  largestIn = 0;

  reset(): void {
    this.peak = 0;
    this.requests = 0;
    this.largestIn = 0;
  }

  private async measured<T>(params: readonly unknown[], request: () => Promise<T>): Promise<T> {
    this.requests++;
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    for (const value of params) if (Array.isArray(value)) this.largestIn = Math.max(this.largestIn, value.length);
    try {
      await nextTurn();
      return await request();
    } finally {
      this.inFlight--;
    }
  }

  override rows(cql: string, params: readonly unknown[]): Promise<Row[]> {
    return this.measured(params, () => super.rows(cql, params));
  }
  override write(cql: string, params: readonly unknown[]): Promise<void> {
    return this.measured(params, () => super.write(cql, params));
  }
  override lwt(cql: string, params: readonly unknown[]): Promise<LwtResult> {
    return this.measured(params, () => super.lwt(cql, params));
  }
  override lwtBatch(statements: readonly BoundStatement[]): Promise<boolean> {
    return this.measured([], () => super.lwtBatch(statements));
  }
  override writeBatch(statements: readonly BoundStatement[]): Promise<void> {
    return this.measured([], () => super.writeBatch(statements));
  }
}

async function storeOnPeakSession(): Promise<{ store: Store; session: PeakSession }> {
  const session = new PeakSession();
  const store = createStoreOnSession(session, memoryOptions);
  await store.migrate();
  return { store, session };
}

/** `count` orders of as many customers and products, one every `spacingMs` (hours and days apart). */
function orders(count: number, spacingMs: number, prefix = 'o'): Order[] {
  return Array.from({ length: count }, (_, i) =>
    makeOrder({
      orderId: `${prefix}${String(i).padStart(5, '0')}`,
      customerId: i + 1,
      productId: `PROD-${i}`,
      timestamp: 1_700_000_000_000 + i * spacingMs,
    }),
  );
}

function validations(list: readonly Order[]): { offset: number; content: RegistryMessage }[] {
  return list.map((order, offset) => ({
    offset,
    content: { kind: 'validation', order, result: validateOrder(order), timestamp: 1 },
  }));
}

describe('Cassandra store: requests in flight per operation stay bounded', () => {
  it('lists a status with a limit of 1,000 in IN reads, not one read per order at once', async () => {
    const { store, session } = await storeOnPeakSession();
    const list = orders(1_000, 1);
    const source = { consumer: 'registry-processor', topic: 'orders', partition: 0 };
    const { registered } = await store.registry.applyRegistryMessages(source, validations(list), 1);
    expect(registered.filter((r) => r.status === 'accepted')).toHaveLength(1_000);

    session.reset();
    const found = await store.registry.byStatus('accepted', 1_000);
    // Newest registration first, as the index keeps them (all registered at once here: by id descending).
    expect(found.map((r) => r.order.orderId)).toEqual(list.map((o) => o.orderId).reverse());
    expect(session.peak).toBeLessThanOrEqual(QUERIES_IN_FLIGHT);
    expect(session.largestIn).toBeLessThanOrEqual(MAX_IN_KEYS);
    expect(session.requests).toBeLessThan(50);
  });

  it('reads the statuses of thousands of orders in IN reads of at most MAX_IN_KEYS', async () => {
    const { store, session } = await storeOnPeakSession();
    const list = orders(300, 1);
    await store.registry.applyRegistryMessages(
      { consumer: 'registry-processor', topic: 'orders', partition: 0 },
      validations(list),
      1,
    );
    session.reset();
    const ids = [...list.map((o) => o.orderId), ...Array.from({ length: 2_700 }, (_, i) => `absent-${i}`)];
    const statuses = await store.registry.statuses(ids);
    expect(statuses.size).toBe(300);
    expect(session.largestIn).toBeLessThanOrEqual(MAX_IN_KEYS);
    expect(session.peak).toBeLessThanOrEqual(QUERIES_IN_FLIGHT);
  });

  it('lists 1,000 dead letters in IN reads of at most MAX_IN_KEYS, and counts them', async () => {
    const { store, session } = await storeOnPeakSession();
    const letters = Array.from({ length: 1_000 }, (_, offset) => ({
      id: `orders:0:${offset}`,
      topic: 'orders',
      partition: 0,
      offset,
      key: null,
      value: new Uint8Array([1]),
      headers: {},
      group: 'query-processor',
      reason: 'not JSON',
      failedAt: offset,
    }));
    await store.deadLetters.record(letters, 1);
    session.reset();
    const listed = await store.deadLetters.list('pending', undefined, 1_000);
    expect(listed).toHaveLength(1_000);
    expect(listed[0]?.id).toBe('orders:0:999');
    expect(session.largestIn).toBeLessThanOrEqual(MAX_IN_KEYS);
    expect(session.peak).toBeLessThanOrEqual(QUERIES_IN_FLIGHT);
    expect(await store.deadLetters.counts()).toEqual([
      { topic: 'orders', reason: 'not JSON', status: 'pending', count: 1_000 },
    ]);
  });

  it('saves thousands of produced orders over hundreds of hours with a bounded number in flight', async () => {
    const { store, session } = await storeOnPeakSession();
    const list = orders(3_000, HOUR / 4);
    session.reset();
    await store.produced.saveProduced(list);
    expect(session.peak).toBeLessThanOrEqual(QUERIES_IN_FLIGHT);
    expect((await store.produced.recentProduced(3)).map((o) => o.orderId)).toEqual(['o02999', 'o02998', 'o02997']);
    expect((await store.produced.produced('o01234'))?.customerId).toBe(1_235);
  });

  it('keeps the last of two orders with one id in a save, as separate saves would', async () => {
    const { store } = await storeOnPeakSession();
    const [first, second] = [makeOrder({ orderId: 'dup', quantity: 1 }), makeOrder({ orderId: 'dup', quantity: 9 })];
    await store.produced.saveProduced([first, second]);
    expect((await store.produced.produced('dup'))?.quantity).toBe(9);
    expect(await store.produced.recentProduced(10)).toHaveLength(1);
  });

  it('applies a batch of orders spread over 200 days (2,400 claim partitions) with a bounded number in flight', async () => {
    const { store, session } = await storeOnPeakSession();
    const list = orders(2_400, DAY / 12);
    session.reset();
    const outcome = await store.views.applyOrders(
      { consumer: 'query-processor', topic: 'orders', partition: 0 },
      list.map((content, offset) => ({ offset, content })),
      1,
    );
    expect(outcome).toEqual({ applied: 2_400, skipped: 0 });
    // Customers and products are claimed side by side, and their shards written side by side.
    expect(session.peak).toBeLessThanOrEqual(2 * QUERIES_IN_FLIGHT);
    expect((await store.views.totals()).totalOrders).toBe(2_400);
    session.reset();
    expect(await store.views.timeline(1_000)).toHaveLength(1_000);
    expect(session.peak).toBe(1);
  });

  it('registers a batch of orders spread over 200 days with a bounded number in flight', async () => {
    const { store, session } = await storeOnPeakSession();
    const list = orders(2_400, DAY / 12);
    session.reset();
    const { registered } = await store.registry.applyRegistryMessages(
      { consumer: 'registry-processor', topic: 'orders', partition: 0 },
      validations(list),
      1,
    );
    expect(registered).toHaveLength(2_400);
    // Orders applied side by side, each with one request at a time, plus one flush of their rows.
    expect(session.peak).toBeLessThanOrEqual(2 * QUERIES_IN_FLIGHT);
    expect((await store.registry.totals()).registeredCount).toBe(2_400);
  });

  it('forgets hundreds of stale instances with a bounded number in flight', async () => {
    const { store, session } = await storeOnPeakSession();
    for (let i = 0; i < 300; i++) {
      await store.control.heartbeat({
        processor: 'query-processor',
        instanceId: `i${i}`,
        startedAt: 1,
        heartbeatAt: 1,
        processed: 0,
        errors: 0,
        throughputPerSecond: 0,
        lastProcessedAt: null,
      });
    }
    session.reset();
    await store.control.pruneInstances(2);
    expect(session.peak).toBeLessThanOrEqual(QUERIES_IN_FLIGHT);
    expect(await store.control.liveInstances(0)).toEqual([]);
  });
});
