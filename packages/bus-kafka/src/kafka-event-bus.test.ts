import fc from 'fast-check';
import { partitionForKey } from '@kafka-monitor/domain';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaEventBus } from './kafka-event-bus.js';

// Without a broker: what can be checked offline. The behaviour against Kafka itself is in
// kafka-event-bus.engine.test.ts (npm run test:engines).
const unreachable = () =>
  createKafkaEventBus({
    brokers: ['127.0.0.1:1'],
    retry: { retries: 0 },
    connectionTimeoutMs: 500,
    pingTimeoutMs: 2_000,
  });

describe('the partitioner the Kafka bus uses', () => {
  it('Given any key and partition count, then kafkajs picks the partition the domain (and the embedded log) picks', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.integer({ min: 1, max: 64 }), (key, count) => {
        const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
          partitionId,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        }));
        const chosen = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(chosen).toBe(partitionForKey(encoder.encode(key), count));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('createKafkaEventBus without a reachable broker', () => {
  it('Given no brokers, then it refuses to build', () => {
    expect(() => createKafkaEventBus({ brokers: [] })).toThrow(/no brokers/);
  });

  it('Given an invalid topic spec or an empty publish, then it answers without calling Kafka', async () => {
    const bus = unreachable();
    await expect(bus.ensureTopics([{ name: 'x', partitions: 0 }])).rejects.toThrow(/at least one partition/);
    await expect(bus.ensureTopics([])).resolves.toBeUndefined();
    await expect(bus.publish('x', [])).resolves.toEqual([]);
    await bus.close();
  });

  it('Given a closed port, then every call fails with a retryable DependencyError', async () => {
    const bus = unreachable();
    await expect(bus.ping()).rejects.toMatchObject({ name: 'DependencyError', dependency: 'bus', retryable: true });
    await expect(bus.listTopics()).rejects.toMatchObject({ name: 'DependencyError' });
    await expect(bus.publish('orders', [{ key: 'k', value: 'v' }])).rejects.toMatchObject({ name: 'DependencyError' });
    await bus.close();
  });

  it('Given a closed bus, then calls fail as not retryable and close is idempotent', async () => {
    const bus = unreachable();
    await bus.close();
    await bus.close();
    await expect(bus.ping()).rejects.toMatchObject({ message: 'kafka: the bus is closed', retryable: false });
    await expect(
      bus.consume({ group: 'g', topics: ['t'], handleBatch: () => Promise.resolve() }),
    ).rejects.toMatchObject({ retryable: false });
  });
});
