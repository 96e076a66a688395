import { describe, expect, it } from 'vitest';
import type { BoundStatement, Session } from './session.js';
import {
  MAX_BATCH_BYTES,
  MAX_BATCH_PARTITIONS,
  batchesOf,
  estimatedBytes,
  writeRows,
  type PartitionWrite,
} from './writes.js';

const row = (partition: string, i: number, padding = 10): PartitionWrite => ({
  partition,
  cql: 'INSERT INTO ks.t (k, c, v) VALUES (?, ?, ?)',
  params: [partition, i, 'x'.repeat(padding)],
});

/** Records single writes and batches; the batch numbers in `failing` reject. */
function recordingSession(failing: ReadonlySet<number> = new Set()) {
  const singles: BoundStatement[] = [];
  const batches: BoundStatement[][] = [];
  const settled: number[] = [];
  const session: Session = {
    rows: () => Promise.resolve([]),
    write: (cql, params) => {
      singles.push({ cql, params });
      return Promise.resolve();
    },
    lwt: () => Promise.resolve({ applied: true, current: undefined }),
    lwtBatch: () => Promise.resolve(true),
    writeBatch: async (statements) => {
      const n = batches.push([...statements]) - 1;
      // Later batches settle first, so a failure is seen while earlier batches are still running.
      await new Promise((resolve) => setTimeout(resolve, 20 - n));
      settled.push(n);
      if (failing.has(n)) throw new Error(`batch ${n} timed out`);
    },
    ddl: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { session, singles, batches, settled };
}

describe('batchesOf', () => {
  it('keeps every write once, with the writes of a partition side by side', () => {
    const writes = [row('b', 1), row('a', 2), row('b', 3), row('c', 4), row('a', 5)];
    const batches = batchesOf(writes);
    expect(batches.flat().map((w) => w.params[1])).toEqual([2, 5, 1, 3, 4]);
    expect(batches).toHaveLength(1);
  });

  it(`never puts more than ${MAX_BATCH_PARTITIONS} partitions in a batch`, () => {
    const writes = Array.from({ length: 25 }, (_, i) => row(`p${String(i).padStart(2, '0')}`, i));
    const batches = batchesOf(writes);
    expect(batches.map((b) => new Set(b.map((w) => w.partition)).size)).toEqual([10, 10, 5]);
  });

  it(`keeps each batch's estimated data within ${MAX_BATCH_BYTES} bytes, however many rows share a partition`, () => {
    const writes = Array.from({ length: 60 }, (_, i) => row('one', i, 200));
    const batches = batchesOf(writes);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) {
      expect(batch.reduce((sum, w) => sum + estimatedBytes(w.params), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    expect(batches.flat()).toHaveLength(60);
  });

  it('gives a write larger than the limit a batch of its own', () => {
    const batches = batchesOf([row('a', 1), row('b', 2, MAX_BATCH_BYTES), row('c', 3)]);
    expect(batches.map((b) => b.map((w) => w.params[1]))).toEqual([[1], [2], [3]]);
  });

  it('counts string values by their UTF-8 bytes', () => {
    expect(estimatedBytes(['é'])).toBe(estimatedBytes(['ab']));
    expect(estimatedBytes(['abc', null])).toBeLessThan(estimatedBytes(['abc', 7]));
  });
});

describe('writeRows', () => {
  it('sends a lone write as a plain write and the rest as unlogged batches', async () => {
    const lone = recordingSession();
    await writeRows(lone.session, [row('a', 1)]);
    expect(lone.singles).toHaveLength(1);
    expect(lone.batches).toHaveLength(0);

    const many = recordingSession();
    await writeRows(
      many.session,
      Array.from({ length: 12 }, (_, i) => row(`p${String(i).padStart(2, '0')}`, i)),
    );
    expect(many.batches.map((b) => b.length)).toEqual([10, 2]);
    expect(many.singles).toHaveLength(0);
  });

  it('rejects with the first failure only after every batch has settled', async () => {
    const { session, settled } = recordingSession(new Set([1]));
    const writes = Array.from({ length: 40 }, (_, i) => row(`p${String(i).padStart(2, '0')}`, i));
    await expect(writeRows(session, writes)).rejects.toThrow('batch 1 timed out');
    expect([...settled].sort()).toEqual([0, 1, 2, 3]);
  });

  it('writes nothing for no writes', async () => {
    const { session, singles, batches } = recordingSession();
    await writeRows(session, []);
    expect(singles).toHaveLength(0);
    expect(batches).toHaveLength(0);
  });
});
