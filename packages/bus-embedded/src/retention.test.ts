import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OffsetReset } from '@kafka-monitor/domain';
import { waitFor } from '@kafka-monitor/testkit';
import { createEmbeddedEventBus, type EmbeddedEventBus } from './embedded-event-bus.js';

const opened: EmbeddedEventBus[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const bus of opened.splice(0)) await bus.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(options: Partial<Parameters<typeof createEmbeddedEventBus>[0]> = {}): EmbeddedEventBus {
  const dir = mkdtempSync(join(tmpdir(), 'retention-'));
  dirs.push(dir);
  const bus = createEmbeddedEventBus({ file: join(dir, 'log.db'), pollIntervalMs: 10, ...options });
  opened.push(bus);
  return bus;
}

const value = (i: number): string => `message-${String(i).padStart(4, '0')}-${'x'.repeat(80)}`;

describe('retention of the embedded log', () => {
  it('retention.bytes keeps at most that many bytes per partition, deleting the oldest', async () => {
    const bus = open();
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.publish(
      't',
      Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: value(i) })),
    );
    const size = 1 + value(0).length;
    await bus.alterTopicConfig('t', { 'retention.bytes': String(size * 10) });
    const pass = await bus.enforceRetention();
    expect(pass.deletedMessages).toBe(90);
    expect(await bus.topicOffsets('t')).toEqual([{ partition: 0, earliest: 90, end: 100 }]);
  });

  it('retention.ms deletes messages older than the limit by their timestamp, a prefix only', async () => {
    let clock = 100_000;
    const bus = open({ now: () => clock, retention: { ms: 10_000, bytes: -1 } });
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    const stamps = [1_000, 2_000, 95_000, 3_000, 96_000];
    await bus.publish(
      't',
      stamps.map((timestamp, i) => ({ key: 'k', value: value(i), timestamp })),
    );
    expect((await bus.topicConfig('t')).find((c) => c.name === 'retention.ms')).toEqual({
      name: 'retention.ms',
      value: '10000',
      isDefault: true,
    });
    await bus.enforceRetention();
    // As Kafka: a message not old enough keeps everything after it, so the log start stays contiguous.
    expect(await bus.topicOffsets('t')).toEqual([{ partition: 0, earliest: 2, end: 5 }]);
    clock = 200_000;
    await bus.enforceRetention();
    expect(await bus.topicOffsets('t')).toEqual([{ partition: 0, earliest: 5, end: 5 }]);
  });

  it('a group whose position was deleted resumes at the log start, recorded in its description', async () => {
    const bus = open();
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.publish(
      't',
      Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: value(i) })),
    );
    await bus.resetGroupOffsets('g', { to: 'offset', offset: 3 }, ['t']);
    await bus.deleteRecords('t', [{ partition: 0, offset: 7 }]);
    const resets: OffsetReset[] = [];
    const offsets: number[] = [];
    const consumer = await bus.consume({
      group: 'g',
      topics: ['t'],
      handleBatch: (batch) => {
        offsets.push(...batch.messages.map((m) => m.offset));
        return Promise.resolve();
      },
      onOffsetReset: (reset) => resets.push(reset),
    });
    await waitFor(
      'the group read the rest',
      () => offsets.length,
      (n) => n >= 3,
    );
    // Everything deleted past the group's position too: it moves to the end.
    await bus.publish('t', [{ key: 'k', value: value(10) }]);
    await waitFor(
      'the new message',
      () => offsets.length,
      (n) => n >= 4,
    );
    await consumer.stop();
    await bus.publish('t', [{ key: 'k', value: value(11) }]);
    await bus.deleteRecords('t', [{ partition: 0, offset: 12 }]);
    const again = await bus.consume({
      group: 'g',
      topics: ['t'],
      handleBatch: () => Promise.resolve(),
      onOffsetReset: (reset) => resets.push(reset),
    });
    await waitFor(
      'the second reset',
      () => resets.length,
      (n) => n >= 2,
    );
    await again.stop();
    expect(offsets).toEqual([7, 8, 9, 10]);
    expect(resets.map((r) => [r.fromOffset, r.toOffset])).toEqual([
      [3, 7],
      [11, 12],
    ]);
    const described = await bus.describeGroup('g');
    expect(described.offsetResets).toMatchObject([
      { topic: 't', partition: 0, fromOffset: 11, toOffset: 12, count: 2 },
    ]);
    expect(described.lag).toMatchObject([{ committedOffset: 12, endOffset: 12, lag: 0 }]);
  });

  it('refuses settings it does not know and values that are not whole numbers of at least -1', async () => {
    const bus = open();
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await expect(bus.alterTopicConfig('t', { 'cleanup.policy': 'compact' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(bus.alterTopicConfig('t', { 'retention.ms': '-2' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('the file stops growing under traffic with retention: freed pages are reused', async () => {
    const bus = open({ retention: { ms: -1, bytes: 200_000 } });
    await bus.ensureTopics([{ name: 't', partitions: 2 }]);
    const pages: number[] = [];
    for (let round = 0; round < 12; round++) {
      await bus.publish(
        't',
        Array.from({ length: 2_000 }, (_, i) => ({ key: `k${i}`, value: value(i) })),
      );
      await bus.enforceRetention();
      const config = await bus.brokerConfig();
      pages.push(Number(config.find((c) => c.name === 'sqlite.page_count')?.value));
    }
    // 24,000 messages of ~100 bytes were written (2.4 MB), ~400 kB are kept; the file stays at its size
    // after the first rounds instead of growing with every round.
    const settled = pages[3] ?? 0;
    expect(pages.at(-1)).toBeLessThanOrEqual(settled * 1.1);
    const offsets = await bus.topicOffsets('t');
    expect(offsets.every((p) => p.earliest > 0 && p.end - p.earliest < 2_500)).toBe(true);
  });

  it('a background check deletes by itself', async () => {
    const bus = open({ retention: { ms: -1, bytes: 0 }, retentionCheckIntervalMs: 10 });
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.publish('t', [{ key: 'k', value: value(0) }]);
    await waitFor(
      'the log start to advance',
      () => bus.topicOffsets('t'),
      (o) => o[0]?.earliest === 1,
    );
  });
});
