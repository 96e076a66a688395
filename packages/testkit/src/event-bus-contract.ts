import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus, MessageBatch, StoredMessage } from '@kafka-monitor/domain';
import { waitFor } from './wait-for.js';

export interface BusFixture {
  readonly bus: EventBus;
  /** Opens a second client on the same log, as a restarted process would. */
  reopen(): Promise<EventBus>;
  cleanup(): Promise<void>;
}

const text = (m: StoredMessage): string => Buffer.from(m.value).toString('utf8');

/** The behaviour every EventBus adapter must show; each adapter's test calls this with its factory. */
export function describeEventBusContract(name: string, createFixture: () => Promise<BusFixture>): void {
  describe(`EventBus contract: ${name}`, () => {
    let fixture: BusFixture | undefined;
    const open = async (): Promise<BusFixture> => {
      fixture = await createFixture();
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    it('keeps bytes, keys and headers, and gives consecutive offsets per partition', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      const raw = Uint8Array.from([0xff, 0x00, 0x7b, 0x22]);
      const positions = await bus.publish(topic, [
        { key: 'a', value: 'first', headers: { h: 'v' } },
        { key: 'a', value: raw },
        { key: 'a', value: 'third' },
      ]);
      expect(new Set(positions.map((p) => p.partition)).size).toBe(1);
      const partition = positions[0]?.partition ?? -1;
      expect(positions.map((p) => p.offset)).toEqual([0, 1, 2]);
      const read = await bus.read(topic, partition, 0, 10);
      expect(read.map((m) => m.key)).toEqual(['a', 'a', 'a']);
      expect(read[0]?.headers).toEqual({ h: 'v' });
      expect(text(read[0] as StoredMessage)).toBe('first');
      expect([...(read[1]?.value ?? [])]).toEqual([...raw]);
      const topics = await bus.listTopics();
      const info = topics.find((t) => t.name === topic);
      expect(info?.partitions).toBe(3);
      expect(info?.endOffsets.reduce((a, b) => a + b, 0)).toBe(3);
    });

    it('keeps each message its own headers, through read and consume alike', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      // Trace context as the services write it: a different traceparent on every record of one publish.
      const headersOf = (i: number) => ({
        traceparent: `00-${String(i).padStart(32, '0')}-${String(i + 1).padStart(16, '0')}-01`,
        ...(i % 2 === 0 ? { tracestate: `vendor=${i}` } : {}),
      });
      await bus.publish(
        topic,
        Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `m${i}`, headers: headersOf(i) })),
      );
      const consumed = new Map<string, Readonly<Record<string, string>>>();
      const consumer = await bus.consume({
        group: `g-${randomUUID()}`,
        topics: [topic],
        handleBatch: (batch) => {
          for (const m of batch.messages) consumed.set(text(m), m.headers);
          return Promise.resolve();
        },
      });
      await waitFor(
        '20 messages consumed',
        () => consumed.size,
        (n) => n >= 20,
      );
      await consumer.stop();
      const read = [...(await bus.read(topic, 0, 0, 50)), ...(await bus.read(topic, 1, 0, 50))];
      expect(read).toHaveLength(20);
      for (const message of read) {
        const i = Number(text(message).slice(1));
        expect(message.headers).toEqual(headersOf(i));
        expect(consumed.get(text(message))).toEqual(headersOf(i));
      }
    });

    it('spreads keys over partitions and keeps each key in one partition', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      const keys = Array.from({ length: 60 }, (_, i) => `key-${i}`);
      const first = await bus.publish(
        topic,
        keys.map((key) => ({ key, value: '1' })),
      );
      const second = await bus.publish(
        topic,
        keys.map((key) => ({ key, value: '2' })),
      );
      expect(second.map((p) => p.partition)).toEqual(first.map((p) => p.partition));
      expect(new Set(first.map((p) => p.partition)).size).toBe(3);
    });

    it('refuses to publish to a topic that does not exist', async () => {
      const { bus } = await open();
      await expect(bus.publish(`missing-${randomUUID()}`, [{ key: 'k', value: 'v' }])).rejects.toThrow(
        /does not exist/,
      );
    });

    it('delivers every message once to a group, commits, and a restarted group resumes after its commit', async () => {
      const opened = await open();
      const bus = opened.bus;
      const topic = `t-${randomUUID()}`;
      const group = `g-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      await bus.publish(
        topic,
        Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `m${i}` })),
      );
      const seen: string[] = [];
      const consumer = await bus.consume({
        group,
        topics: [topic],
        handleBatch: (batch: MessageBatch) => {
          seen.push(...batch.messages.map(text));
          return Promise.resolve();
        },
      });
      await waitFor(
        '50 messages',
        () => seen.length,
        (n) => n >= 50,
      );
      await waitFor(
        'lag 0',
        async () => (await bus.describeGroup(group)).lag,
        (lag) => lag.every((l) => l.lag === 0),
      );
      await consumer.stop();
      expect(new Set(seen).size).toBe(50);

      await bus.publish(topic, [{ key: 'late', value: 'late' }]);
      const restarted = await opened.reopen();
      const after: string[] = [];
      const again = await restarted.consume({
        group,
        topics: [topic],
        handleBatch: (batch) => {
          after.push(...batch.messages.map(text));
          return Promise.resolve();
        },
      });
      await waitFor(
        'the late message',
        () => after,
        (m) => m.includes('late'),
      );
      await again.stop();
      expect(after).toEqual(['late']);
      await restarted.close();
    });

    it('redelivers a batch whose handler failed (at least once)', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(topic, [{ key: 'k', value: 'v' }]);
      let attempts = 0;
      const errors: unknown[] = [];
      const consumer = await bus.consume({
        group: `g-${randomUUID()}`,
        topics: [topic],
        handleBatch: () => {
          attempts++;
          return attempts < 3 ? Promise.reject(new Error('transient')) : Promise.resolve();
        },
        onError: (error) => errors.push(error),
      });
      await waitFor(
        'third attempt',
        () => attempts,
        (n) => n >= 3,
      );
      await consumer.stop();
      expect(errors).toHaveLength(2);
    });

    it('reports lag per partition with the age of the oldest unread message', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      const group = `g-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      await bus.publish(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v', timestamp: 1000 + i })),
      );
      const consumer = await bus.consume({ group, topics: [topic], handleBatch: () => Promise.resolve() });
      await waitFor(
        'caught up',
        async () => (await bus.describeGroup(group)).lag,
        (l) => l.length === 2 && l.every((p) => p.lag === 0),
      );
      await consumer.stop();
      await bus.publish(topic, [{ key: 'k1', value: 'v', timestamp: 5000 }]);
      const described = await bus.describeGroup(group);
      const total = described.lag.reduce((sum, p) => sum + p.lag, 0);
      expect(total).toBe(1);
      expect(described.lag.find((p) => p.lag === 1)?.oldestUnreadTimestamp).toBe(5000);
    });

    it('finds per partition the first offset at or after a time, or the end offset', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      const positions = await bus.publish(
        topic,
        Array.from({ length: 6 }, (_, i) => ({ key: 'same', value: 'v', timestamp: 10_000 + i * 1_000 })),
      );
      const partition = positions[0]?.partition ?? 0;
      const other = 1 - partition;
      const at = async (timestamp: number) =>
        (await bus.offsetsAtTime(topic, timestamp)).map((p) => [p.partition, p.offset]);
      expect(await at(0)).toEqual([
        [0, 0],
        [1, 0],
      ]);
      const expected = (offset: number) =>
        [
          [partition, offset],
          [other, 0],
        ].sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
      expect(await at(12_000)).toEqual(expected(2));
      expect(await at(12_001)).toEqual(expected(3));
      expect(await at(99_000)).toEqual(expected(6));
      await expect(bus.offsetsAtTime(`missing-${randomUUID()}`, 0)).rejects.toThrow();
    });

    it('reports lag on named topics for a group that never committed', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      await bus.publish(topic, [{ key: 'k', value: 'v', timestamp: 42 }]);
      const described = await bus.describeGroup(`never-${randomUUID()}`, [topic]);
      expect(described.members).toEqual([]);
      expect(described.lag.map((p) => [p.partition, p.committedOffset])).toEqual([
        [0, 0],
        [1, 0],
      ]);
      expect(described.lag.reduce((sum, p) => sum + p.lag, 0)).toBe(1);
      expect(described.lag.find((p) => p.lag === 1)?.oldestUnreadTimestamp).toBe(42);
    });

    it('keeps groups independent', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      await bus.publish(
        topic,
        Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
      );
      const counts = [0, 0];
      const consumers = await Promise.all(
        counts.map((_, index) =>
          bus.consume({
            group: `g-${index}-${randomUUID()}`,
            topics: [topic],
            handleBatch: (batch) => {
              counts[index] = (counts[index] ?? 0) + batch.messages.length;
              return Promise.resolve();
            },
          }),
        ),
      );
      await waitFor(
        'both groups read all',
        () => [...counts],
        (c) => c.every((n) => n === 20),
      );
      await Promise.all(consumers.map((c) => c.stop()));
    });

    it('splits partitions between two members of one group without losing any message', async () => {
      const { bus } = await open();
      const topic = `t-${randomUUID()}`;
      const group = `g-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 4 }]);
      const seen = new Set<string>();
      const handle = (batch: MessageBatch): Promise<void> => {
        for (const m of batch.messages) seen.add(`${m.partition}/${m.offset}`);
        return Promise.resolve();
      };
      const a = await bus.consume({ group, topics: [topic], handleBatch: handle });
      const b = await bus.consume({ group, topics: [topic], handleBatch: handle });
      await waitFor(
        'two members',
        async () => (await bus.describeGroup(group)).members.length,
        (n) => n === 2,
      );
      await bus.publish(
        topic,
        Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
      );
      await waitFor(
        'all 100',
        () => seen.size,
        (n) => n === 100,
      );
      const described = await bus.describeGroup(group);
      const owned = described.members.map((m) => m.assignments.length);
      expect(owned.reduce((x, y) => x + y, 0)).toBe(4);
      await Promise.all([a.stop(), b.stop()]);
    });
  });
}
