import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotEntry, SnapshotFold } from '@kafka-monitor/domain';
import { createEmbeddedEventBus, type EmbeddedEventBus } from './embedded-event-bus.js';

const opened: EmbeddedEventBus[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const bus of opened.splice(0)) await bus.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function directory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snapshots-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string, options: Partial<Parameters<typeof createEmbeddedEventBus>[0]> = {}): EmbeddedEventBus {
  const bus = createEmbeddedEventBus({ file: join(dir, 'log.db'), pollIntervalMs: 10, ...options });
  opened.push(bus);
  return bus;
}

const text = new TextDecoder();
/** Keeps a message's value under its key; a value starting with '-' is kept as nothing. */
const byKey: SnapshotFold = (message) => {
  const value = text.decode(message.value);
  return value.startsWith('-') ? null : { key: message.key ?? '', value };
};
const folding = new Map([['t', byKey]]);

async function allEntries(bus: EmbeddedEventBus, horizons: readonly number[], page = 2): Promise<SnapshotEntry[]> {
  const entries: SnapshotEntry[] = [];
  let after: SnapshotEntry | null = null;
  for (;;) {
    const got: readonly SnapshotEntry[] = await bus.snapshotEntries('t', horizons, after, page);
    entries.push(...got);
    if (got.length < page) return entries;
    after = got.at(-1) ?? null;
  }
}

describe('snapshots of the embedded log', () => {
  it('folds what retention deletes before deleting it: the first entry per key, the horizon at the log start', async () => {
    const bus = open(directory(), { snapshots: folding });
    await bus.ensureTopics([{ name: 't', partitions: 2 }]);
    await bus.publish('t', [
      { key: 'a', value: 'a1' },
      { key: 'b', value: 'b1' },
      { key: 'a', value: 'a2' },
      { key: 'x', value: '-poison' },
      { key: 'c', value: 'c1' },
      { key: 'd', value: 'd1' },
    ]);
    expect(await bus.snapshotHorizons('t')).toEqual([0, 0]);
    await bus.deleteRecords('t', [{ partition: 0, offset: 4 }]);
    expect(await bus.snapshotHorizons('t')).toEqual([4, 0]);
    expect(await bus.topicOffsets('t')).toEqual([
      { partition: 0, earliest: 4, end: 5 },
      { partition: 1, earliest: 0, end: 1 },
    ]);
    expect(await allEntries(bus, [4, 0])).toEqual([
      { partition: 0, offset: 0, value: 'a1' },
      { partition: 0, offset: 1, value: 'b1' },
    ]);

    await bus.alterTopicConfig('t', { 'retention.bytes': '0' });
    await bus.enforceRetention();
    const horizons = await bus.snapshotHorizons('t');
    expect(horizons).toEqual([5, 1]);
    expect(await bus.snapshotEntryCount('t')).toBe(4);
    expect(await allEntries(bus, horizons)).toEqual([
      { partition: 0, offset: 0, value: 'a1' },
      { partition: 0, offset: 1, value: 'b1' },
      { partition: 0, offset: 4, value: 'c1' },
      { partition: 1, offset: 0, value: 'd1' },
    ]);
    // A reader keeps the snapshot at the horizons it read, whatever was folded since.
    expect(await allEntries(bus, [4, 0], 1)).toEqual([
      { partition: 0, offset: 0, value: 'a1' },
      { partition: 0, offset: 1, value: 'b1' },
    ]);
  });

  it('a process without the fold deletes nothing past the horizon of a topic that has a snapshot', async () => {
    const dir = directory();
    const folder = open(dir, { snapshots: folding });
    await folder.ensureTopics([
      { name: 't', partitions: 1 },
      { name: 'plain', partitions: 1 },
    ]);
    await folder.publish(
      't',
      Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    await folder.publish('plain', [
      { key: null, value: 'p0' },
      { key: null, value: 'p1' },
    ]);
    await folder.deleteRecords('t', [{ partition: 0, offset: 2 }]);

    const other = open(dir, { retention: { ms: -1, bytes: 0 } });
    await other.enforceRetention();
    await other.deleteRecords('t', [{ partition: 0, offset: 5 }]);
    expect(await other.topicOffsets('t')).toEqual([{ partition: 0, earliest: 2, end: 6 }]);
    // A topic without a snapshot is not held back.
    expect(await other.topicOffsets('plain')).toEqual([{ partition: 0, earliest: 2, end: 2 }]);

    await folder.deleteRecords('t', [{ partition: 0, offset: 5 }]);
    expect(await other.snapshotHorizons('t')).toEqual([5]);
    expect((await allEntries(other, [5])).map((e) => e.value)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('a deleted topic takes its snapshot with it', async () => {
    const bus = open(directory(), { snapshots: folding });
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.publish('t', [{ key: 'a', value: 'a1' }]);
    await bus.deleteRecords('t', [{ partition: 0, offset: 1 }]);
    await bus.deleteTopic('t');
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    expect(await bus.snapshotHorizons('t')).toEqual([0]);
    expect(await allEntries(bus, [1])).toEqual([]);
  });
});
