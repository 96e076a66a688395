import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmbeddedEventBus } from '@kafka-monitor/bus-embedded';
import {
  describeEventBusAdminContract,
  describeEventBusContract,
  describeLogSnapshotContract,
  valueByKey,
  waitFor,
} from '@kafka-monitor/testkit';
import { busNames, prefixEventBus, prefixEventBusAdmin } from './prefixed-bus.js';

function embedded(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), 'prefixed-bus-'));
  const file = join(dir, 'log.db');
  const raw = createEmbeddedEventBus({ file, pollIntervalMs: 10 });
  return {
    raw,
    file,
    bus: prefixEventBus(raw, prefix),
    admin: prefixEventBusAdmin(raw, prefix),
    cleanup: async () => {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A prefixed bus is a bus: it must keep every promise of both ports.
describeEventBusContract('embedded log behind BUS_PREFIX', () => {
  const { bus, file, cleanup } = embedded('run-1.');
  return Promise.resolve({
    bus,
    reopen: () => Promise.resolve(prefixEventBus(createEmbeddedEventBus({ file, pollIntervalMs: 10 }), 'run-1.')),
    cleanup,
  });
});

describeEventBusAdminContract('embedded log behind BUS_PREFIX', () => {
  const { bus, admin, cleanup } = embedded('run-2.');
  return Promise.resolve({ bus, admin, cleanup });
});

describeLogSnapshotContract('embedded log behind BUS_PREFIX', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prefixed-bus-'));
  const raw = createEmbeddedEventBus({
    file: join(dir, 'log.db'),
    pollIntervalMs: 10,
    snapshots: new Map([[busNames('run-3.').onBus('folded'), valueByKey]]),
  });
  return Promise.resolve({
    bus: prefixEventBus(raw, 'run-3.'),
    admin: prefixEventBusAdmin(raw, 'run-3.'),
    topic: 'folded',
    cleanup: async () => {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('BUS_PREFIX names', () => {
  it('puts the prefix on every topic and group on the bus, and shows only its own names without it', async () => {
    const { raw, bus, admin, cleanup } = embedded('a.');
    try {
      const other = prefixEventBus(raw, 'b.');
      await bus.ensureTopics([{ name: 'orders', partitions: 1 }]);
      await other.ensureTopics([{ name: 'orders', partitions: 2 }]);
      await raw.ensureTopics([{ name: 'plain', partitions: 1 }]);
      expect((await raw.listTopics()).map((t) => t.name)).toEqual(['a.orders', 'b.orders', 'plain']);
      expect(await bus.listTopics()).toEqual([{ name: 'orders', partitions: 1, endOffsets: [0] }]);

      expect(await bus.publish('orders', [{ key: 'k', value: 'v' }])).toEqual([
        { topic: 'orders', partition: 0, offset: 0 },
      ]);
      expect((await bus.read('orders', 0, 0, 10)).map((m) => m.topic)).toEqual(['orders']);
      expect(await other.read('orders', 0, 0, 10)).toEqual([]);

      const seen: string[] = [];
      const consumer = await bus.consume({
        group: 'readers',
        topics: ['orders'],
        handleBatch: (batch) => {
          seen.push(batch.topic, ...batch.messages.map((m) => m.topic));
          return Promise.resolve();
        },
      });
      const described = await waitFor(
        'caught up',
        () => bus.describeGroup('readers'),
        (d) => d.lag.length === 1 && d.lag.every((p) => p.lag === 0),
      );
      expect(described.group).toBe('readers');
      expect(described.members[0]?.assignments).toEqual([{ topic: 'orders', partition: 0, offset: 0 }]);
      expect(described.lag.map((p) => p.topic)).toEqual(['orders']);
      await consumer.stop();
      expect(seen).toEqual(['orders', 'orders']);
      expect(await raw.listGroups()).toEqual(['a.readers']);
      expect(await admin.listGroups()).toEqual(['readers']);
      expect(await prefixEventBusAdmin(raw, 'b.').listGroups()).toEqual([]);
      expect(await admin.resetGroupOffsets('readers', { to: 'earliest' })).toEqual([
        { topic: 'orders', partition: 0, offset: 0 },
      ]);
    } finally {
      await cleanup();
    }
  });

  it('names topics and groups in failures without the prefix', async () => {
    const { bus, admin, cleanup } = embedded('a.');
    try {
      await expect(admin.topicOffsets('missing')).rejects.toMatchObject({
        name: 'BusAdminError',
        code: 'UNKNOWN_TOPIC',
        message: "topic 'missing' does not exist",
      });
      await expect(bus.publish('missing', [{ key: null, value: 'x' }])).rejects.toThrow(
        "topic 'missing' does not exist",
      );
    } finally {
      await cleanup();
    }
  });

  it('maps names both ways, and an empty prefix leaves the bus as it is', () => {
    const names = busNames('x.');
    expect(names.onBus('orders')).toBe('x.orders');
    expect(names.local('x.orders')).toBe('orders');
    expect(names.local('y.orders')).toBeUndefined();
    const { raw, cleanup } = embedded('');
    expect(prefixEventBus(raw, '')).toBe(raw);
    expect(prefixEventBusAdmin(raw, '')).toBe(raw);
    return cleanup();
  });
});
