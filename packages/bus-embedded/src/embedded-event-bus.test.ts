import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeEventBusAdminContract,
  describeEventBusContract,
  describeLogSnapshotContract,
  valueByKey,
  waitFor,
} from '@kafka-monitor/testkit';
import { createEmbeddedEventBus } from './embedded-event-bus.js';

describeEventBusContract('embedded SQLite log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-'));
  const file = join(dir, 'log.db');
  const bus = createEmbeddedEventBus({ file, pollIntervalMs: 10 });
  return Promise.resolve({
    bus,
    reopen: () => Promise.resolve(createEmbeddedEventBus({ file, pollIntervalMs: 10 })),
    cleanup: async () => {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describeEventBusAdminContract('embedded SQLite log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-admin-'));
  const bus = createEmbeddedEventBus({ file: join(dir, 'log.db'), pollIntervalMs: 10 });
  return Promise.resolve({
    bus,
    admin: bus,
    cleanup: async () => {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describeLogSnapshotContract('embedded SQLite log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bus-snapshot-'));
  const bus = createEmbeddedEventBus({
    file: join(dir, 'log.db'),
    pollIntervalMs: 10,
    snapshots: new Map([['folded', valueByKey]]),
  });
  return Promise.resolve({
    bus,
    admin: bus,
    topic: 'folded',
    cleanup: async () => {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('embedded SQLite log under a backlog', () => {
  it('gives the event loop a turn between batches, so a busy consumer cannot starve timers and I/O', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bus-backlog-'));
    const bus = createEmbeddedEventBus({ file: join(dir, 'log.db'), pollIntervalMs: 10 });
    try {
      await bus.ensureTopics([{ name: 'backlog', partitions: 1 }]);
      await bus.publish(
        'backlog',
        Array.from({ length: 2_000 }, (_, i) => ({ key: null, value: String(i) })),
      );
      let batches = 0;
      let batchesWhenTimerFired: number | undefined;
      // A handler that settles without real I/O, as the synchronous SQLite store does, and takes 2 ms.
      const handle = await bus.consume({
        group: 'busy',
        topics: ['backlog'],
        maxBatchSize: 10,
        handleBatch: () => {
          const until = performance.now() + 2;
          while (performance.now() < until);
          batches++;
          return Promise.resolve();
        },
      });
      setTimeout(() => {
        batchesWhenTimerFired = batches;
      }, 0);
      await waitFor(
        'the whole backlog',
        () => Promise.resolve(batches),
        (n) => n === 200,
      );
      await handle.stop();
      // Without a turn the timer fires only once all 200 batches (400 ms) are done; with one every
      // 20 ms it fires after about ten.
      expect(batchesWhenTimerFired).toBeDefined();
      expect(batchesWhenTimerFired).toBeLessThan(50);
    } finally {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
