import type { MessageBatch } from '@kafka-monitor/domain';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startConsumer, type ConsumerSettings } from './consumer.js';

// The commit and redelivery rules of the consumer, against a stand-in for kafkajs's consumer; the real
// broker is exercised by kafka-event-bus.engine.test.ts.
const settings: ConsumerSettings = {
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  maxWaitMs: 100,
  retry: { retries: 0 },
  joinWaitMs: 50,
  firstRetryDelayMs: 5,
  maxRetryDelayMs: 20,
  stallRestartMs: 60_000,
  partitionsInParallel: 1,
};

interface Fake {
  readonly kafka: Kafka;
  readonly log: string[];
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  emit(event: 'join' | 'crash' | 'fetch', payload: unknown): void;
}

function fakeKafka(options: { join?: boolean; failConnect?: boolean } = {}): Fake {
  const listeners = new Map<string, (event: { payload: unknown }) => void>();
  const fake: Fake = {
    log: [],
    kafka: undefined as unknown as Kafka,
    emit: (event, payload) => listeners.get(event)?.({ payload }),
  };
  const consumer = {
    events: { GROUP_JOIN: 'join', CRASH: 'crash', FETCH: 'fetch' },
    on: (name: string, listener: (event: { payload: unknown }) => void) => listeners.set(name, listener),
    connect: () => {
      fake.log.push('connect');
      return options.failConnect === true ? Promise.reject(new Error('refused')) : Promise.resolve();
    },
    subscribe: (s: { topics: string[]; fromBeginning: boolean }) => {
      fake.log.push(`subscribe ${s.topics.join(',')} fromBeginning=${String(s.fromBeginning)}`);
      return Promise.resolve();
    },
    run: (config: { autoCommit: boolean; eachBatch: (payload: EachBatchPayload) => Promise<void> }) => {
      fake.log.push(`run autoCommit=${String(config.autoCommit)}`);
      fake.eachBatch = config.eachBatch;
      if (options.join !== false) setTimeout(() => fake.emit('join', { memberId: 'member-1' }), 1);
      return Promise.resolve();
    },
    seek: (s: { partition: number; offset: string }) => fake.log.push(`seek ${s.partition}@${s.offset}`),
    disconnect: () => {
      fake.log.push('disconnect');
      return Promise.resolve();
    },
  };
  Object.assign(fake, { kafka: { consumer: () => consumer } });
  return fake;
}

function payload(
  fake: Fake,
  offsets: number[],
  commit?: () => Promise<void>,
  heartbeat: () => Promise<void> = () => Promise.resolve(),
): EachBatchPayload {
  return {
    batch: {
      topic: 'orders',
      partition: 1,
      messages: offsets.map((o) => ({
        offset: String(o),
        timestamp: '1000',
        key: Buffer.from(`k${o}`),
        value: Buffer.from(`v${o}`),
        headers: {},
        attributes: 0,
      })),
    },
    resolveOffset: (offset: string) => fake.log.push(`resolve ${offset}`),
    heartbeat,
    pause: () => {
      fake.log.push('pause');
      return () => fake.log.push('resume');
    },
    commitOffsetsIfNecessary: (offsets?: { topics: { partitions: { offset: string }[] }[] }) => {
      fake.log.push(`commit ${offsets?.topics[0]?.partitions[0]?.offset ?? '?'}`);
      return commit?.() ?? Promise.resolve();
    },
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
  } as unknown as EachBatchPayload;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the condition holds (the consumer's backoffs run on real timers). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(5);
  expect(condition()).toBe(true);
}

describe('startConsumer', () => {
  it('Given batches larger than maxBatchSize, then each chunk is handled, then committed, then resolved', async () => {
    const fake = fakeKafka();
    const handled: MessageBatch[] = [];
    const stopped: unknown[] = [];
    const handle = await startConsumer(
      fake.kafka,
      settings,
      {
        group: 'g',
        topics: ['orders'],
        maxBatchSize: 2,
        handleBatch: (batch) => {
          handled.push(batch);
          fake.log.push(`handle ${batch.messages.map((m) => m.offset).join(',')}`);
          return Promise.resolve();
        },
      },
      (h) => stopped.push(h),
    );
    expect(handle.memberId).toBe('member-1');
    await fake.eachBatch?.(payload(fake, [5, 6, 7]));
    expect(fake.log).toEqual([
      'connect',
      'subscribe orders fromBeginning=true',
      'run autoCommit=false',
      'handle 5,6',
      'commit 7',
      'resolve 6',
      'handle 7',
      'commit 8',
      'resolve 7',
    ]);
    expect(handled[0]?.messages[0]).toMatchObject({ topic: 'orders', partition: 1, offset: 5, key: 'k5' });
    await handle.stop();
    await handle.stop();
    expect(fake.log.filter((l) => l === 'disconnect')).toHaveLength(1);
    expect(stopped).toEqual([handle]);
  });

  it('Given a handler that fails, then nothing is committed, the batch is sought back and the partition resumes after a backoff', async () => {
    const fake = fakeKafka();
    const errors: unknown[] = [];
    const handle = await startConsumer(
      fake.kafka,
      settings,
      {
        group: 'g',
        topics: ['orders'],
        handleBatch: () => Promise.reject(new Error('store down')),
        onError: (error) => errors.push(error),
      },
      () => undefined,
    );
    await fake.eachBatch?.(payload(fake, [3, 4]));
    expect(fake.log.slice(3)).toEqual(['seek 1@3', 'pause']);
    expect((errors[0] as Error).message).toBe('store down');
    await sleep(40);
    expect(fake.log.at(-1)).toBe('resume');
    await handle.stop();
  });

  it('Given a commit that fails, then the error is a DependencyError and the batch will come again', async () => {
    const fake = fakeKafka();
    const errors: unknown[] = [];
    const handle = await startConsumer(
      fake.kafka,
      settings,
      {
        group: 'g',
        topics: ['orders'],
        handleBatch: () => Promise.resolve(),
        onError: (error) => errors.push(error),
      },
      () => undefined,
    );
    await fake.eachBatch?.(payload(fake, [9], () => Promise.reject(new Error('REBALANCE_IN_PROGRESS'))));
    expect(fake.log.slice(3)).toEqual(['commit 10', 'seek 1@9', 'pause']);
    expect(errors[0]).toMatchObject({ name: 'DependencyError', message: 'kafka commit failed: REBALANCE_IN_PROGRESS' });
    // Stopping before the backoff ends cancels the resume.
    await handle.stop();
    await sleep(30);
    expect(fake.log).not.toContain('resume');
  });

  it('Given a crash reported by kafkajs, then onError hears it as a DependencyError, but not after stop', async () => {
    const fake = fakeKafka();
    const errors: unknown[] = [];
    const handle = await startConsumer(
      fake.kafka,
      settings,
      { group: 'g', topics: ['orders'], handleBatch: () => Promise.resolve(), onError: (e) => errors.push(e) },
      () => undefined,
    );
    fake.emit('crash', { error: new Error('Connection error') });
    await handle.stop();
    fake.emit('crash', { error: new Error('after stop') });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'DependencyError', message: 'kafka consume failed: Connection error' });
  });

  it('Given a group that does not form in time, then the handle comes back without a member id yet', async () => {
    const fake = fakeKafka({ join: false });
    const handle = await startConsumer(
      fake.kafka,
      settings,
      { group: 'g', topics: ['orders'], handleBatch: () => Promise.resolve() },
      () => undefined,
    );
    expect(handle.memberId).toBe('');
    fake.emit('join', { memberId: 'late' });
    expect(handle.memberId).toBe('late');
    await handle.stop();
  });

  it('Given a broker that refuses the connection, then consume rejects with a DependencyError and cleans up', async () => {
    const fake = fakeKafka({ failConnect: true });
    await expect(
      startConsumer(
        fake.kafka,
        settings,
        { group: 'g', topics: ['t'], handleBatch: () => Promise.resolve() },
        () => undefined,
      ),
    ).rejects.toMatchObject({ name: 'DependencyError', message: 'kafka consume failed: refused' });
    expect(fake.log).toEqual(['connect', 'disconnect']);
  });

  it('Given a batch that takes longer than the heartbeat interval, then the member keeps heartbeating meanwhile', async () => {
    const fake = fakeKafka();
    let release: () => void = () => undefined;
    const handle = await startConsumer(
      fake.kafka,
      { ...settings, heartbeatIntervalMs: 5 },
      {
        group: 'g',
        topics: ['orders'],
        handleBatch: () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      },
      () => undefined,
    );
    let beats = 0;
    let handled = false;
    // The beats during the batch fail (a coordinator away): that must not fail the batch.
    const done = fake.eachBatch?.(
      payload(fake, [1], undefined, () => {
        beats++;
        return handled ? Promise.resolve() : Promise.reject(new Error('the coordinator is away'));
      }),
    );
    await until(() => beats >= 3);
    handled = true;
    release();
    await done;
    expect(fake.log.slice(3)).toEqual(['commit 2', 'resolve 1']);
    await handle.stop();
  });

  it('Given a crash kafkajs will not restart from, then the consumer is started again after a backoff', async () => {
    const fake = fakeKafka();
    const errors: unknown[] = [];
    const handle = await startConsumer(
      fake.kafka,
      settings,
      { group: 'g', topics: ['orders'], handleBatch: () => Promise.resolve(), onError: (e) => errors.push(e) },
      () => undefined,
    );
    fake.emit('crash', { error: new Error('not the leader'), restart: false });
    await until(() => fake.log.filter((l) => l.startsWith('run')).length === 2);
    expect(fake.log).toEqual([
      'connect',
      'subscribe orders fromBeginning=true',
      'run autoCommit=false',
      'disconnect',
      'connect',
      'subscribe orders fromBeginning=true',
      'run autoCommit=false',
    ]);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'kafka consume failed: not the leader',
      "kafka consumer of 'g' restarts in 5 ms: kafkajs stopped the consumer after a non-retriable error",
    ]);
    await handle.stop();
  });

  it('Given a consumer that stops fetching, then it is replaced; one that fetches is left alone', async () => {
    const fake = fakeKafka();
    const errors: unknown[] = [];
    const handle = await startConsumer(
      fake.kafka,
      { ...settings, stallRestartMs: 40 },
      { group: 'g', topics: ['orders'], handleBatch: () => Promise.resolve(), onError: (e) => errors.push(e) },
      () => undefined,
    );
    const fetching = setInterval(() => fake.emit('fetch', {}), 5);
    await sleep(120);
    expect(fake.log.filter((l) => l.startsWith('run'))).toHaveLength(1);
    clearInterval(fetching);
    await until(() => fake.log.filter((l) => l.startsWith('run')).length === 2);
    expect((errors[0] as Error).message).toMatch(/^kafka consumer of 'g' restarts in 5 ms: no fetch for \d+ s$/);
    await handle.stop();
  });
});
