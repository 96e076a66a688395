import { describe, expect, it } from 'vitest';
import { silentLogger } from '@kafka-monitor/domain';
import { startStoreRetention, type RetainedTable } from './store-retention.js';

/** A table of row times, expired oldest first as the stores do. */
function table(times: number[]) {
  const calls: { before: number; limit: number }[] = [];
  return {
    times,
    calls,
    expire: (before: number, limit: number): Promise<number> => {
      calls.push({ before, limit });
      times.sort((a, b) => a - b);
      let n = 0;
      while (n < limit && (times[0] ?? Infinity) < before) {
        times.shift();
        n++;
      }
      return Promise.resolve(n);
    },
  };
}

describe('store retention', () => {
  it('deletes rows older than each retention in steps, and never touches a table kept forever', async () => {
    const produced = table(Array.from({ length: 25 }, (_, i) => i));
    const keys = table([5, 50, 95]);
    const letters = table([0, 1, 2]);
    const counted: [RetainedTable, number][] = [];
    const retention = startStoreRetention({
      tasks: [
        { table: 'produced_orders', retentionMs: 80, expire: produced.expire },
        { table: 'idempotency_keys', retentionMs: 40, expire: keys.expire },
        { table: 'dead_letters', retentionMs: -1, expire: letters.expire },
      ],
      intervalMs: 3_600_000,
      now: () => 100,
      logger: silentLogger,
      stepRows: 10,
      onExpired: (t, n) => counted.push([t, n]),
    });
    const deleted = await retention.pass();
    await retention.stop();
    expect(Object.fromEntries(deleted)).toEqual({ produced_orders: 20, idempotency_keys: 2 });
    expect(produced.times).toEqual([20, 21, 22, 23, 24]);
    // Steps of at most 10 until one deletes fewer: 10, 10, 0.
    expect(produced.calls).toEqual([
      { before: 20, limit: 10 },
      { before: 20, limit: 10 },
      { before: 20, limit: 10 },
    ]);
    expect(keys.times).toEqual([95]);
    expect(letters.calls).toEqual([]);
    expect(counted).toEqual([
      ['produced_orders', 10],
      ['produced_orders', 10],
      ['idempotency_keys', 2],
    ]);
  });

  it('ends a failed table for this pass and goes on with the next', async () => {
    const keys = table([1, 2]);
    const warnings: unknown[] = [];
    const logger = { ...silentLogger, warn: (fields: unknown) => void warnings.push(fields) };
    const retention = startStoreRetention({
      tasks: [
        { table: 'dead_letters', retentionMs: 0, expire: () => Promise.reject(new Error('database or disk is full')) },
        { table: 'idempotency_keys', retentionMs: 0, expire: keys.expire },
      ],
      intervalMs: 3_600_000,
      now: () => 10,
      logger,
    });
    expect(Object.fromEntries(await retention.pass())).toEqual({ dead_letters: 0, idempotency_keys: 2 });
    await retention.stop();
    expect(warnings).toHaveLength(1);
  });
});
