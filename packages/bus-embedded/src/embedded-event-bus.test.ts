import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeEventBusAdminContract,
  describeEventBusContract,
  describeLogSnapshotContract,
  valueByKey,
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
