/**
 * The shared EventBus contract, and the Kafka-specific checks of the kafkajs adapter that concern
 * the EventBus port, against the experimental Confluent adapter on a real broker.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { partitionForKey } from '@kafka-monitor/domain';
import { describeEventBusContract, waitFor } from '@kafka-monitor/testkit';
import { createConfluentEventBus } from './confluent-event-bus.js';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter((b) => b !== '');
if (brokers.length === 0) throw new Error('KAFKA_BROKERS is not set');
const open = (partitionsInParallel?: number) =>
  createConfluentEventBus({
    brokers,
    clientId: `ckjs-${randomUUID().slice(0, 8)}`,
    ...(partitionsInParallel === undefined ? {} : { partitionsInParallel }),
  });

for (const [name, partitionsInParallel] of [
  ['Confluent client', undefined],
  ['Confluent client, three partitions handled at once', 3],
] as const) {
  describeEventBusContract(name, () => {
    const bus = open(partitionsInParallel);
    const reopened: ReturnType<typeof open>[] = [];
    return Promise.resolve({
      bus,
      reopen: () => {
        const again = open(partitionsInParallel);
        reopened.push(again);
        return Promise.resolve(again);
      },
      cleanup: async () => {
        await Promise.all([bus.close(), ...reopened.map((b) => b.close())]);
      },
    });
  });
}

describe('Confluent client specifics', () => {
  it('keeps other partitions flowing while one partition waits for its redelivery', async () => {
    const bus = open();
    try {
      const topic = `b-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      const positions = await bus.publish(
        topic,
        Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
      );
      const expected = positions.filter((p) => p.partition === 1).length;
      const group = `g-${randomUUID()}`;
      let healthy = 0;
      let failedAttempts = 0;
      const consumer = await bus.consume({
        group,
        topics: [topic],
        maxBatchSize: 3,
        handleBatch: (batch) => {
          expect(batch.messages.length).toBeLessThanOrEqual(3);
          if (batch.partition === 0) {
            failedAttempts++;
            return Promise.reject(new Error('partition 0 is broken'));
          }
          healthy += batch.messages.length;
          return Promise.resolve();
        },
        onError: () => undefined,
      });
      await waitFor(
        'partition 1 fully handled while partition 0 keeps failing',
        () => ({ healthy, failedAttempts }),
        (s) => s.healthy === expected && s.failedAttempts >= 2,
      );
      await consumer.stop();
      const lag = (await bus.describeGroup(group)).lag;
      expect(lag.find((l) => l.partition === 1)?.lag).toBe(0);
      expect(lag.find((l) => l.partition === 0)?.lag).toBe(40 - expected);
    } finally {
      await bus.close();
    }
  });

  it('finishes and commits the batch in flight when stopped', async () => {
    const bus = open();
    try {
      const topic = `s-${randomUUID()}`;
      const group = `g-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(topic, [{ key: 'k', value: 'slow' }]);
      let started = false;
      let finished = false;
      const consumer = await bus.consume({
        group,
        topics: [topic],
        handleBatch: async () => {
          started = true;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          finished = true;
        },
      });
      await waitFor(
        'the handler to start',
        () => started,
        (s) => s,
      );
      await consumer.stop();
      expect(finished).toBe(true);
      const described = await bus.describeGroup(group);
      expect(described.members).toEqual([]);
      expect(described.lag).toEqual([
        { topic, partition: 0, committedOffset: 1, endOffset: 1, lag: 0, oldestUnreadTimestamp: null },
      ]);
    } finally {
      await bus.close();
    }
  });

  it('puts every key in the partition the domain partitioner computes', async () => {
    const bus = open();
    try {
      const topic = `p-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 7 }]);
      const keys = [...Array.from({ length: 200 }, () => randomUUID()), 'ü-ñ-€-😀', ''];
      const positions = await bus.publish(
        topic,
        keys.map((key) => ({ key, value: 'x' })),
      );
      const encoder = new TextEncoder();
      expect(positions.map((p) => p.partition)).toEqual(keys.map((key) => partitionForKey(encoder.encode(key), 7)));
      for (const p of new Set(positions.map((x) => x.partition))) {
        const mine = positions.filter((x) => x.partition === p).map((x) => x.offset);
        expect((await bus.read(topic, p, 0, 1_000)).map((m) => m.offset)).toEqual(mine);
      }
    } finally {
      await bus.close();
    }
  });
});

// The same scenario as the kafkajs adapter's engine test: scripts/engines/restart.sh kafka.
const restartCommand = process.env.KAFKA_RESTART_COMMAND;
if (restartCommand !== undefined && restartCommand !== '') {
  describe('Confluent client across a broker restart', () => {
    it('reconnects: the consumer resumes and publishing works again, nothing lost', { timeout: 180_000 }, async () => {
      const bus = open();
      try {
        const topic = `r-${randomUUID()}`;
        await bus.ensureTopics([{ name: topic, partitions: 2 }]);
        const seen = new Set<string>();
        const consumer = await bus.consume({
          group: `g-${randomUUID()}`,
          topics: [topic],
          handleBatch: (batch) => {
            for (const m of batch.messages) seen.add(Buffer.from(m.value).toString('utf8'));
            return Promise.resolve();
          },
          onError: () => undefined,
        });
        await bus.publish(
          topic,
          Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `before-${i}` })),
        );
        await waitFor(
          'the first 10',
          () => seen.size,
          (n) => n === 10,
        );
        await promisify(execFile)('bash', ['-c', restartCommand], { timeout: 150_000 });
        await bus.publish(
          topic,
          Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `after-${i}` })),
        );
        await waitFor(
          'all 20 after the restart',
          () => seen.size,
          (n) => n === 20,
          60_000,
        );
        await bus.ping();
        await consumer.stop();
      } finally {
        await bus.close();
      }
    });
  });
}
