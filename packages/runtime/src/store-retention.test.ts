import { describe, expect, it } from 'vitest';
import { createSqliteStore } from '@kafka-monitor/store-sqlite';
import { loadConfig } from './config.js';
import { retentionTasksFor, ttlSecondsOf } from './store-retention.js';

describe('store retention of a process', () => {
  it('deletes the rows its services own: produced orders, decisions, keys and dead letters by their writers', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    const { storeRetention } = loadConfig({});
    const tables = (services: Parameters<typeof retentionTasksFor>[0]) =>
      retentionTasksFor(services, store, storeRetention).map((t) => [t.table, t.retentionMs]);
    expect(tables(['order-processor'])).toEqual([['produced_orders', 604_800_000]]);
    expect(tables(['monitor'])).toEqual([
      ['idempotency_keys', 86_400_000],
      ['dead_letters', 2_592_000_000],
    ]);
    expect(tables(['registry-processor'])).toEqual([
      ['status_decisions', 604_800_000],
      ['registry_changes', 86_400_000],
    ]);
    expect(tables(['query-processor'])).toEqual([]);
    const [keys] = retentionTasksFor(['monitor'], store, storeRetention);
    await store.control.reserveIdempotencyKey('k', 'o', 'f', 1_000);
    expect(await keys?.expire(2_000, 10)).toBe(1);
    await store.close();
  });

  it('turns a retention into a Cassandra TTL in whole seconds, none for -1', () => {
    expect(ttlSecondsOf(-1)).toBe(0);
    expect(ttlSecondsOf(86_400_000)).toBe(86_400);
    expect(ttlSecondsOf(1)).toBe(1);
  });
});
