import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus, EventBusAdmin, SnapshotEntry, SnapshotFold } from '@kafka-monitor/domain';

const text = new TextDecoder();

/**
 * The fold a fixture configures on its snapshot topic: a message's value as text under its key, and
 * nothing for a value starting with '-' (as a fold keeps nothing of a message it cannot read).
 */
export const valueByKey: SnapshotFold = (message) => {
  const value = text.decode(message.value);
  return value.startsWith('-') ? null : { key: message.key ?? '', value };
};

export interface LogSnapshotFixture {
  /** A bus with `snapshotHorizons`, `snapshotEntries` and `snapshotEntryCount`. */
  readonly bus: EventBus;
  /** Administers the same log as `bus`. */
  readonly admin: EventBusAdmin;
  /** A topic name (not created yet) the log folds with `valueByKey` before deleting. */
  readonly topic: string;
  cleanup(): Promise<void>;
}

async function entries(bus: EventBus, topic: string, horizons: readonly number[], page: number) {
  const all: SnapshotEntry[] = [];
  let after: SnapshotEntry | null = null;
  for (;;) {
    const got: readonly SnapshotEntry[] = (await bus.snapshotEntries?.(topic, horizons, after, page)) ?? [];
    all.push(...got);
    if (got.length < page) return all;
    after = got.at(-1) ?? null;
  }
}

/**
 * What a log that keeps snapshots of what it deletes guarantees (decision 19): everything below a
 * partition's horizon was folded before it was deleted, the horizon is the log start, the first entry
 * of a key is kept, entries are read in (partition, offset) order, and a reader keeps the snapshot at
 * the horizons it read while the log folds more.
 */
export function describeLogSnapshotContract(name: string, createFixture: () => Promise<LogSnapshotFixture>): void {
  describe(`log snapshot contract: ${name}`, () => {
    let fixture: LogSnapshotFixture | undefined;
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('folds what it deletes first: the first entry per key, in log order; the horizon is the log start', async () => {
      fixture = await createFixture();
      const { bus, admin, topic } = fixture;
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(topic, [
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'b1' },
        { key: 'a', value: 'a2' },
        { key: 'x', value: '-unreadable' },
        { key: 'c', value: 'c1' },
        { key: 'd', value: 'd1' },
      ]);
      expect(await bus.snapshotHorizons?.(topic)).toEqual([0]);
      expect(await bus.snapshotEntryCount?.(topic)).toBe(0);

      await admin.deleteRecords(topic, [{ partition: 0, offset: 4 }]);
      expect(await bus.snapshotHorizons?.(topic)).toEqual([4]);
      expect((await admin.topicOffsets(topic))[0]?.earliest).toBe(4);
      expect(await entries(bus, topic, [4], 10)).toEqual([
        { partition: 0, offset: 0, value: 'a1' },
        { partition: 0, offset: 1, value: 'b1' },
      ]);

      await admin.deleteRecords(topic, [{ partition: 0, offset: 6 }]);
      expect(await bus.snapshotHorizons?.(topic)).toEqual([6]);
      expect(await bus.snapshotEntryCount?.(topic)).toBe(4);
      expect((await entries(bus, topic, [6], 1)).map((e) => e.value)).toEqual(['a1', 'b1', 'c1', 'd1']);
      // A reader that read the horizons before the last deletion still reads the snapshot it saw.
      expect((await entries(bus, topic, [4], 1)).map((e) => e.value)).toEqual(['a1', 'b1']);
    });
  });
}
