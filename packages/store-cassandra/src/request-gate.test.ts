import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { isDependencyError } from '@kafka-monitor/domain';
import { describeStoreContract } from '@kafka-monitor/testkit';
import { createStoreOnSession } from './cassandra-store.js';
import { MemorySession, memoryOptions } from './memory-session.js';
import { gatedSession } from './request-gate.js';
import type { Row, Session } from './session.js';

/** A session whose reads each take `ms`, counting how many are in flight at once. */
function slowSession(ms: number, fail?: (cql: string) => boolean) {
  const seen = { inFlight: 0, peak: 0, started: [] as string[] };
  const rows = async (cql: string): Promise<Row[]> => {
    seen.started.push(cql);
    seen.inFlight++;
    seen.peak = Math.max(seen.peak, seen.inFlight);
    try {
      await sleep(ms);
      if (fail?.(cql) === true) throw new Error(`${cql} failed`);
      return [{ cql }];
    } finally {
      seen.inFlight--;
    }
  };
  const session: Session = {
    rows,
    write: async (cql) => void (await rows(cql)),
    lwt: async (cql) => (await rows(cql), { applied: true, current: undefined }),
    lwtBatch: async () => (await rows('batch'), true),
    writeBatch: async () => void (await rows('batch')),
    ddl: async (cql) => void (await rows(cql)),
    close: () => Promise.resolve(),
  };
  return { session, seen };
}

describe('gatedSession', () => {
  it('never has more than maxInFlight requests in flight, and runs every request in order of arrival', async () => {
    const { session, seen } = slowSession(2);
    const gated = gatedSession(session, { maxInFlight: 8, maxWaiting: 10_000, maxWaitMs: 10_000 });
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        i % 2 === 0 ? gated.rows(`q${i}`, []) : gated.write(`q${i}`, []).then(() => []),
      ),
    );
    expect(seen.peak).toBe(8);
    expect(seen.started).toEqual(Array.from({ length: 500 }, (_, i) => `q${i}`));
    expect(answers[0]).toEqual([{ cql: 'q0' }]);
  });

  it('refuses at once, as a retryable store failure, a request that finds maxWaiting already waiting', async () => {
    const { session } = slowSession(30);
    const gated = gatedSession(session, { maxInFlight: 2, maxWaiting: 3, maxWaitMs: 10_000 });
    const admitted = Array.from({ length: 5 }, (_, i) => gated.rows(`q${i}`, []));
    const started = Date.now();
    const refused = await gated.rows('one too many', []).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(25);
    expect(isDependencyError(refused) && refused.retryable && refused.dependency === 'store').toBe(true);
    expect((refused as Error).message).toMatch(/overloaded: 3 requests already waiting/);
    expect(await Promise.all(admitted)).toHaveLength(5);
  });

  it('refuses a request that waited maxWaitMs for its turn, and the slots still serve the rest', async () => {
    const { session, seen } = slowSession(80);
    const gated = gatedSession(session, { maxInFlight: 1, maxWaiting: 100, maxWaitMs: 20 });
    const first = gated.rows('first', []);
    const started = Date.now();
    const waited = await gated.rows('second', []).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(70);
    expect(isDependencyError(waited) && waited.retryable).toBe(true);
    expect((waited as Error).message).toMatch(/overloaded: no turn within 20 ms/);
    expect(await first).toEqual([{ cql: 'first' }]);
    // The request that gave up never ran and holds no slot.
    expect(await gated.rows('third', [])).toEqual([{ cql: 'third' }]);
    expect(seen.started).toEqual(['first', 'third']);
  });

  it('frees the slot of a request that failed', async () => {
    const { session } = slowSession(1, (cql) => cql === 'bad');
    const gated = gatedSession(session, { maxInFlight: 1, maxWaiting: 10, maxWaitMs: 1_000 });
    await expect(gated.rows('bad', [])).rejects.toThrow('bad failed');
    expect(await gated.rows('good', [])).toEqual([{ cql: 'good' }]);
  });

  it('makes a saturated store fail its reads within the wait bound instead of hanging', async () => {
    const { session } = slowSession(200);
    const store = createStoreOnSession(
      gatedSession(session, { maxInFlight: 1, maxWaiting: 1_000, maxWaitMs: 30 }),
      memoryOptions,
    );
    const busy = store.ping();
    const started = Date.now();
    const failure = await store.views.topCustomers(10).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(150);
    expect(isDependencyError(failure) && failure.retryable).toBe(true);
    await busy;
  });
});

// The adapter through a narrow gate (4 in flight) keeps every promise of the Store port.
describeStoreContract(
  'Cassandra adapter on the in-memory CQL double, through the request gate',
  async () => {
    const store = createStoreOnSession(
      gatedSession(new MemorySession(), { maxInFlight: 4, maxWaiting: 100_000, maxWaitMs: 60_000 }),
      memoryOptions,
    );
    await store.migrate();
    return { store, cleanup: () => store.close() };
  },
  { propertyRuns: 5, kind: 'cassandra' },
);
