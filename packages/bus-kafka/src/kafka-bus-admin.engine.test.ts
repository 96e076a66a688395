import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeEventBusAdminContract, waitFor } from '@kafka-monitor/testkit';
import { createKafkaEventBus } from './kafka-event-bus.js';

// Runs against a real broker only (npm run test:engines starts one); a missing KAFKA_BROKERS must fail
// the run loudly instead of skipping the suite.
const brokersVariable = process.env.KAFKA_BROKERS ?? process.env.KAFKA_BOOTSTRAP_SERVERS;
if (brokersVariable === undefined || brokersVariable === '') {
  throw new Error('KAFKA_BROKERS is not set: run this suite through `npm run test:engines`');
}
const brokers = brokersVariable.split(',').map((b) => b.trim());
const open = () => createKafkaEventBus({ brokers, clientId: `admin-${randomUUID().slice(0, 8)}` });

/**
 * A consumer of the group in a child process, killed with SIGKILL once it joined: it never leaves the
 * group, as a crashed process would not.
 */
async function killedMember(group: string, topic: string, sessionTimeoutMs: number): Promise<void> {
  const module = new URL('./kafka-event-bus.ts', import.meta.url).href;
  const script = `
    const { createKafkaEventBus } = await import(${JSON.stringify(module)});
    const bus = createKafkaEventBus({ brokers: ${JSON.stringify(brokers)}, sessionTimeoutMs: ${sessionTimeoutMs},
      heartbeatIntervalMs: 500 });
    await bus.consume({ group: ${JSON.stringify(group)}, topics: [${JSON.stringify(topic)}],
      handleBatch: async () => {} });
    console.log('joined');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('joined')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the member exited early (${code})`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

describeEventBusAdminContract('Apache Kafka', () => {
  const bus = open();
  return Promise.resolve({ bus, admin: bus, cleanup: () => bus.close() });
});

describe('Kafka admin specifics', () => {
  it('refuses to reset a group whose member was killed until the session timeout removed it', async () => {
    // A member that never says goodbye (its process died) stays live for Kafka until its session
    // expires; the reset must be refused meanwhile and accepted afterwards, without a blind sleep.
    const sessionTimeoutMs = 6_000;
    const bus = open();
    try {
      const topic = `k-${randomUUID()}`;
      const group = `g-${randomUUID()}`;
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.publish(topic, [{ key: 'k', value: 'v' }]);
      await killedMember(group, topic, sessionTimeoutMs);
      expect((await bus.describeGroup(group)).members).toHaveLength(1);
      await expect(bus.resetGroupOffsets(group, { to: 'earliest' })).rejects.toMatchObject({
        code: 'GROUP_NOT_EMPTY',
        members: 1,
      });
      const startedAt = Date.now();
      await waitFor(
        'the session to expire',
        async () => (await bus.describeGroup(group)).members.length,
        (members) => members === 0,
        sessionTimeoutMs * 4,
      );
      // Gone by the session timeout, not by some other path.
      expect(Date.now() - startedAt).toBeGreaterThan(sessionTimeoutMs / 4);
      expect(await bus.resetGroupOffsets(group, { to: 'earliest' }, [topic])).toEqual([
        { topic, partition: 0, offset: 0 },
      ]);
    } finally {
      await bus.close();
    }
  }, 60_000);

  it('answers broker configuration for a named broker and refuses an unknown one', async () => {
    const bus = open();
    try {
      const cluster = await bus.describeCluster();
      const first = cluster.brokers[0];
      expect(first?.address).toMatch(/:\d+$/);
      if (first === undefined) throw new Error('no broker');
      expect((await bus.brokerConfig(first.nodeId)).map((c) => c.name)).toContain('log.dirs');
      await expect(bus.brokerConfig(987_654)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await bus.close();
    }
  });
});
