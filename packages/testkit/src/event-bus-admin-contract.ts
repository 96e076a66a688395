import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BusAdminError } from '@kafka-monitor/domain';
import type { BusAdminErrorCode, EventBus, EventBusAdmin, MessagePosition } from '@kafka-monitor/domain';
import { waitFor } from './wait-for.js';

export interface BusAdminFixture {
  readonly bus: EventBus;
  /** Administers the same log as `bus`. */
  readonly admin: EventBusAdmin;
  cleanup(): Promise<void>;
}

async function rejection(promise: Promise<unknown>): Promise<BusAdminError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BusAdminError);
    return error as BusAdminError;
  }
  throw new Error('expected a rejection');
}

async function expectRefused(promise: Promise<unknown>, code: BusAdminErrorCode): Promise<BusAdminError> {
  const error = await rejection(promise);
  expect(error.code).toBe(code);
  return error;
}

const offsetsOf = (positions: readonly MessagePosition[]): number[] => positions.map((p) => p.offset);

/**
 * The behaviour every EventBusAdmin adapter must show, written against Kafka's semantics so the
 * embedded log and a real broker are held to the same answers.
 */
export function describeEventBusAdminContract(name: string, createFixture: () => Promise<BusAdminFixture>): void {
  describe(`EventBusAdmin contract: ${name}`, () => {
    let fixture: BusAdminFixture | undefined;
    const open = async (): Promise<BusAdminFixture> => {
      fixture = await createFixture();
      return fixture;
    };
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    /** A topic with one partition holding messages stamped 1000, 2000, … so time resets are exact. */
    async function topicWithMessages(bus: EventBus, count: number): Promise<string> {
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(
        topic,
        Array.from({ length: count }, (_, i) => ({ key: 'k', value: `m${i}`, timestamp: (i + 1) * 1000 })),
      );
      return topic;
    }

    /** Runs a consumer of the group until it committed everything, then stops it. */
    async function consumeAll(bus: EventBus, group: string, topic: string): Promise<number> {
      let seen = 0;
      const consumer = await bus.consume({
        group,
        topics: [topic],
        handleBatch: (batch) => {
          seen += batch.messages.length;
          return Promise.resolve();
        },
      });
      await waitFor(
        'the group caught up',
        async () => (await bus.describeGroup(group)).lag,
        (lag) => lag.length > 0 && lag.every((p) => p.lag === 0),
      );
      await consumer.stop();
      return seen;
    }

    it('reports each partition’s earliest and end offsets', async () => {
      const { bus, admin } = await open();
      const topic = `t-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      expect(await admin.topicOffsets(topic)).toEqual([
        { partition: 0, earliest: 0, end: 0 },
        { partition: 1, earliest: 0, end: 0 },
      ]);
      const positions = await bus.publish(topic, [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ]);
      const used = positions[0]?.partition ?? -1;
      const offsets = await admin.topicOffsets(topic);
      expect(offsets.find((p) => p.partition === used)).toEqual({ partition: used, earliest: 0, end: 2 });
      await expectRefused(admin.topicOffsets(`missing-${randomUUID()}`), 'UNKNOWN_TOPIC');
    });

    it('deletes a topic with its messages; a deleted or missing topic is refused', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 3);
      await admin.deleteTopic(topic);
      expect((await bus.listTopics()).map((t) => t.name)).not.toContain(topic);
      await expect(bus.publish(topic, [{ key: 'k', value: 'v' }])).rejects.toThrow(/does not exist/);
      await expectRefused(admin.deleteTopic(topic), 'UNKNOWN_TOPIC');
      // Created again, it starts empty.
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      expect(await admin.topicOffsets(topic)).toEqual([{ partition: 0, earliest: 0, end: 0 }]);
    });

    it('describes a topic’s configuration with unique, sorted names', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 1);
      const config = await admin.topicConfig(topic);
      const names = config.map((c) => c.name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
      expect([...names].sort()).toEqual(names);
      expect(names).toContain('retention.ms');
      await expectRefused(admin.topicConfig(`missing-${randomUUID()}`), 'UNKNOWN_TOPIC');
    });

    it('alters a topic’s retention settings and puts them back to the default', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 1);
      const setting = async (name: string) => (await admin.topicConfig(topic)).find((c) => c.name === name);
      const defaultMs = await setting('retention.ms');
      await admin.alterTopicConfig(topic, { 'retention.ms': '3600000', 'retention.bytes': '1048576' });
      expect(await setting('retention.ms')).toEqual({ name: 'retention.ms', value: '3600000', isDefault: false });
      expect(await setting('retention.bytes')).toEqual({ name: 'retention.bytes', value: '1048576', isDefault: false });
      // Only the named setting changes.
      await admin.alterTopicConfig(topic, { 'retention.ms': null });
      expect(await setting('retention.ms')).toEqual(defaultMs);
      expect((await setting('retention.bytes'))?.value).toBe('1048576');
      await expectRefused(admin.alterTopicConfig(topic, { 'retention.ms': 'soon' }), 'INVALID_ARGUMENT');
      await expectRefused(admin.alterTopicConfig(`missing-${randomUUID()}`, { 'retention.ms': '1' }), 'UNKNOWN_TOPIC');
    });

    it('deletes records below an offset: the log start advances and a group below it resumes there', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 10);
      const group = `g-${randomUUID()}`;
      await admin.resetGroupOffsets(group, { to: 'offset', offset: 2 }, [topic]);
      await admin.deleteRecords(topic, [{ partition: 0, offset: 6 }]);
      expect(await admin.topicOffsets(topic)).toEqual([{ partition: 0, earliest: 6, end: 10 }]);
      expect((await bus.read(topic, 0, 0, 100)).map((m) => m.offset)).toEqual([6, 7, 8, 9]);
      // Kafka's auto.offset.reset=earliest: the deleted messages are skipped, the rest delivered once.
      const offsets: number[] = [];
      const consumer = await bus.consume({
        group,
        topics: [topic],
        handleBatch: (batch) => {
          offsets.push(...batch.messages.map((m) => m.offset));
          return Promise.resolve();
        },
      });
      try {
        await waitFor(
          'the group caught up',
          () => offsets.length,
          (n) => n >= 4,
        );
      } finally {
        await consumer.stop();
      }
      expect(offsets).toEqual([6, 7, 8, 9]);
      await expectRefused(admin.deleteRecords(topic, [{ partition: 0, offset: 11 }]), 'INVALID_ARGUMENT');
      await expectRefused(admin.deleteRecords(topic, [{ partition: 1, offset: 0 }]), 'INVALID_ARGUMENT');
    });

    it('lists a group once it committed, and deletes it when it has no live members', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 5);
      const group = `g-${randomUUID()}`;
      expect(await admin.listGroups()).not.toContain(group);
      expect(await consumeAll(bus, group, topic)).toBe(5);
      expect(await admin.listGroups()).toContain(group);
      await admin.deleteGroup(group);
      expect(await admin.listGroups()).not.toContain(group);
      // Forgotten: a new consumer of the group reads from the start again.
      expect(await consumeAll(bus, group, topic)).toBe(5);
      await expectRefused(admin.deleteGroup(`never-${randomUUID()}`), 'UNKNOWN_GROUP');
    });

    it('refuses to delete or reset a group with a live member, and changes nothing', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 4);
      const group = `g-${randomUUID()}`;
      const consumer = await bus.consume({ group, topics: [topic], handleBatch: () => Promise.resolve() });
      try {
        await waitFor(
          'the member joined and caught up',
          () => bus.describeGroup(group),
          (d) => d.members.length === 1 && d.lag.length === 1 && d.lag.every((p) => p.lag === 0),
        );
        const refused = await expectRefused(admin.resetGroupOffsets(group, { to: 'earliest' }), 'GROUP_NOT_EMPTY');
        expect(refused.members).toBe(1);
        expect(refused.message).toMatch(/live member/);
        await expectRefused(admin.deleteGroup(group), 'GROUP_NOT_EMPTY');
        expect((await bus.describeGroup(group)).lag.map((p) => p.committedOffset)).toEqual([4]);
      } finally {
        await consumer.stop();
      }
    });

    it('resets a stopped group to earliest, latest and a time; consumers then read from there', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 10);
      const group = `g-${randomUUID()}`;
      expect(await consumeAll(bus, group, topic)).toBe(10);

      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'earliest' }))).toEqual([0]);
      expect((await bus.describeGroup(group)).lag.map((p) => p.lag)).toEqual([10]);
      expect(await consumeAll(bus, group, topic)).toBe(10);

      // Messages are stamped 1000, 2000, …: the first at or after 7500 is the 8th, offset 7.
      const atTime = await admin.resetGroupOffsets(group, { to: 'timestamp', timestamp: 7_500 }, [topic]);
      expect(atTime).toEqual([{ topic, partition: 0, offset: 7 }]);
      expect(await consumeAll(bus, group, topic)).toBe(3);

      // After every message: the end of the log.
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'timestamp', timestamp: 99_000 }))).toEqual([10]);

      await admin.resetGroupOffsets(group, { to: 'earliest' });
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'latest' }))).toEqual([10]);
      expect((await bus.describeGroup(group)).lag.map((p) => p.lag)).toEqual([0]);
    });

    it('a dry run returns the positions a reset would set and changes nothing; an offset is kept in range', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 10);
      const group = `g-${randomUUID()}`;
      expect(await consumeAll(bus, group, topic)).toBe(10);
      const committed = async (): Promise<number[]> =>
        (await bus.describeGroup(group)).lag.map((p) => p.committedOffset);

      const plan = await admin.resetGroupOffsets(group, { to: 'timestamp', timestamp: 7_500 }, [topic], {
        dryRun: true,
      });
      expect(plan).toEqual([{ topic, partition: 0, offset: 7 }]);
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'earliest' }, undefined, { dryRun: true }))).toEqual([
        0,
      ]);
      expect(await committed()).toEqual([10]);

      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'offset', offset: 4 }))).toEqual([4]);
      expect(await committed()).toEqual([4]);
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'offset', offset: 1_000 }))).toEqual([10]);
      await expectRefused(admin.resetGroupOffsets(group, { to: 'offset', offset: -1 }), 'INVALID_ARGUMENT');
      await expectRefused(
        admin.resetGroupOffsets(`never-${randomUUID()}`, { to: 'earliest' }, undefined, { dryRun: true }),
        'UNKNOWN_GROUP',
      );
    });

    it('shifts the committed offset by n either way, kept within the partition; refuses with nothing committed', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 10);
      const group = `g-${randomUUID()}`;
      await expectRefused(admin.resetGroupOffsets(group, { to: 'shift', by: -1 }, [topic]), 'INVALID_ARGUMENT');
      expect(await consumeAll(bus, group, topic)).toBe(10);
      const committed = async (): Promise<number[]> =>
        (await bus.describeGroup(group)).lag.map((p) => p.committedOffset);

      expect(
        offsetsOf(await admin.resetGroupOffsets(group, { to: 'shift', by: -3 }, undefined, { dryRun: true })),
      ).toEqual([7]);
      expect(await committed()).toEqual([10]);
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'shift', by: -3 }))).toEqual([7]);
      expect(await consumeAll(bus, group, topic)).toBe(3);
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'shift', by: -25 }))).toEqual([0]);
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'shift', by: 4 }))).toEqual([4]);
      expect(offsetsOf(await admin.resetGroupOffsets(group, { to: 'shift', by: 99 }))).toEqual([10]);
      expect(await committed()).toEqual([10]);
      await expectRefused(admin.resetGroupOffsets(group, { to: 'shift', by: 0.5 }), 'INVALID_ARGUMENT');
    });

    it('resets a group on named topics even before it committed, and refuses unknown groups and topics', async () => {
      const { bus, admin } = await open();
      const topic = await topicWithMessages(bus, 3);
      const group = `g-${randomUUID()}`;
      await expectRefused(admin.resetGroupOffsets(group, { to: 'latest' }), 'UNKNOWN_GROUP');
      expect(await admin.resetGroupOffsets(group, { to: 'latest' }, [topic])).toEqual([
        { topic, partition: 0, offset: 3 },
      ]);
      expect(await admin.listGroups()).toContain(group);
      await expectRefused(
        admin.resetGroupOffsets(group, { to: 'earliest' }, [`missing-${randomUUID()}`]),
        'UNKNOWN_TOPIC',
      );
      await expectRefused(
        admin.resetGroupOffsets(group, { to: 'timestamp', timestamp: Number.NaN }),
        'INVALID_ARGUMENT',
      );
    });

    it('describes the cluster and its brokers’ configuration', async () => {
      const { admin } = await open();
      const cluster = await admin.describeCluster();
      expect(cluster.clusterId.length).toBeGreaterThan(0);
      expect(cluster.brokers.length).toBeGreaterThan(0);
      const config = await admin.brokerConfig();
      expect(config.length).toBeGreaterThan(0);
      expect(config.map((c) => c.name)).toContain('auto.create.topics.enable');
      // With one broker, naming it must give the same answer as the default.
      const only = cluster.brokers.length === 1 ? cluster.brokers[0] : undefined;
      if (only !== undefined) expect(await admin.brokerConfig(only.nodeId)).toEqual(config);
    });
  });
}
