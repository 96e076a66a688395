/**
 * The EventBus port (not EventBusAdmin) on @confluentinc/kafka-javascript 1.10.1, through its
 * KafkaJS-compatible API where it has one and its node-rdkafka API for `read` (a partition read
 * without a group). An experiment for docs/decisions/0021: the smallest adapter that can run the
 * shared EventBus contract and the pipeline on real Kafka, with the same choices as the kafkajs
 * adapter (murmur2 partition chosen by the bus, acks=all, idempotent producer, commit by hand after
 * the handler, failed batch sought back and its partition paused with a backoff).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyError, partitionForKey, retryDelayMs } from '@kafka-monitor/domain';
import type {
  ConsumeOptions,
  ConsumerHandle,
  EventBus,
  GroupDescription,
  MessagePosition,
  OutgoingMessage,
  PartitionLag,
  StoredMessage,
  TopicSpec,
} from '@kafka-monitor/domain';
import { ckjs, type CkjsBatchPayload, type HeaderValue, type NativeMessage } from './ckjs.js';

const { Kafka, logLevel } = ckjs.KafkaJS;

export interface ConfluentEventBusOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly partitionsInParallel?: number;
  readonly sessionTimeoutMs?: number;
}

const encoder = new TextEncoder();

interface AnyRecord {
  readonly offset: string | number;
  readonly timestamp?: string | number;
  readonly key?: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, HeaderValue> | NativeMessage['headers'];
}

function toStored(topic: string, partition: number, m: AnyRecord): StoredMessage {
  const headers: Record<string, string> = {};
  // KafkaJS API: an object of Buffers; node-rdkafka API: an array of one-entry objects.
  const entries: [string, HeaderValue][] = Array.isArray(m.headers)
    ? m.headers.flatMap((h) => Object.entries(h))
    : Object.entries(m.headers ?? {});
  for (const [name, value] of entries) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) headers[name] = Buffer.isBuffer(last) ? last.toString('utf8') : last;
  }
  const value = m.value;
  return {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key === null || m.key === undefined ? null : Buffer.from(m.key).toString('utf8'),
    value: value === null ? new Uint8Array(0) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
    headers,
    timestamp: Number(m.timestamp),
  };
}

function busError(operation: string, error: unknown): DependencyError {
  if (error instanceof DependencyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DependencyError('bus', `kafka ${operation}: ${message}`, { cause: error });
}

export function createConfluentEventBus(options: ConfluentEventBusOptions): EventBus {
  const brokers = [...options.brokers];
  const clientId = options.clientId ?? 'kafka-monitor';
  const kafka = new Kafka({ kafkaJS: { brokers, clientId, logLevel: logLevel.NOTHING } });
  const admin = kafka.admin();
  const producer = kafka.producer({
    kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
    // A publish is awaited by its caller: no waiting for more messages to fill a batch.
    'linger.ms': 0,
  });
  let adminReady: Promise<void> | undefined;
  let producerReady: Promise<void> | undefined;
  const consumers = new Set<ConsumerHandle>();
  const topics = new Map<string, { partitions: number; at: number }>();
  let roundRobin = 0;
  let closed = false;

  const connectAdmin = (): Promise<void> =>
    (adminReady ??= admin.connect().catch((e: unknown) => {
      adminReady = undefined;
      throw e;
    }));
  const connectProducer = (): Promise<void> =>
    (producerReady ??= producer.connect().catch((e: unknown) => {
      producerReady = undefined;
      throw e;
    }));

  async function partitionCount(topic: string): Promise<number> {
    const cached = topics.get(topic);
    if (cached !== undefined && Date.now() - cached.at < 60_000) return cached.partitions;
    await connectAdmin();
    const names = await admin.listTopics();
    if (!names.includes(topic))
      throw new DependencyError('bus', `kafka: topic '${topic}' does not exist`, { retryable: false });
    const [meta] = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = (meta?.partitions ?? []).length;
    topics.set(topic, { partitions, at: Date.now() });
    return partitions;
  }

  async function endOffsets(topic: string): Promise<{ partition: number; low: number; high: number }[]> {
    await connectAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** node-rdkafka consumer with a manual assignment: no group join, nothing committed. */
  async function read(topic: string, partition: number, fromOffset: number, limit: number): Promise<StoredMessage[]> {
    const count = await partitionCount(topic);
    if (partition < 0 || partition >= count)
      throw new DependencyError('bus', `kafka read: topic '${topic}' has no partition ${partition}`, {
        retryable: false,
      });
    if (limit <= 0) return [];
    const { low, high } = (await endOffsets(topic)).find((o) => o.partition === partition) ?? { low: 0, high: 0 };
    const start = Math.max(fromOffset, low);
    if (start >= high) return [];
    const reader = new ckjs.KafkaConsumer(
      {
        'group.id': `reader-${randomUUID()}`,
        'metadata.broker.list': brokers.join(','),
        'enable.auto.commit': false,
        'client.id': `${clientId}-reader`,
      },
      {},
    );
    await new Promise<void>((resolve, reject) => {
      reader.connect({}, (e) => (e ? reject(e) : resolve()));
    });
    try {
      reader.assign([{ topic, partition, offset: start }]);
      const records: StoredMessage[] = [];
      const wanted = Math.min(limit, high - start);
      const deadline = Date.now() + 10_000;
      while (records.length < wanted && Date.now() < deadline) {
        const batch = await new Promise<NativeMessage[]>((resolve, reject) => {
          reader.consume(wanted - records.length, (e, m) => (e ? reject(e) : resolve(m)));
        });
        for (const m of batch) if (Number(m.offset) >= start) records.push(toStored(topic, partition, m));
      }
      return records.slice(0, limit);
    } finally {
      await new Promise<void>((resolve) => reader.disconnect(() => resolve()));
    }
  }

  async function publish(topic: string, messages: readonly OutgoingMessage[]): Promise<readonly MessagePosition[]> {
    if (messages.length === 0) return [];
    const count = await partitionCount(topic);
    const partitions = messages.map((m) =>
      m.key === null ? roundRobin++ % count : partitionForKey(encoder.encode(m.key), count),
    );
    await connectProducer();
    const results = await producer.send({
      topic,
      messages: messages.map((m, i) => ({
        key: m.key,
        value:
          typeof m.value === 'string' ? m.value : Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength),
        partition: partitions[i] ?? 0,
        ...(m.headers === undefined ? {} : { headers: { ...m.headers } }),
        ...(m.timestamp === undefined ? {} : { timestamp: String(m.timestamp) }),
      })),
    });
    // The lowest offset per partition; one send's messages of a partition are queued one after the other.
    const next = new Map<number, number>();
    for (const r of results) next.set(r.partition, Number(r.baseOffset));
    return partitions.map((partition) => {
      const offset = next.get(partition);
      if (offset === undefined || Number.isNaN(offset))
        throw new DependencyError('bus', `kafka publish: no acknowledgement for partition ${partition}`);
      next.set(partition, offset + 1);
      return { topic, partition, offset };
    });
  }

  async function consume(o: ConsumeOptions): Promise<ConsumerHandle> {
    for (const topic of o.topics) await partitionCount(topic);
    const failures = new Map<string, number>();
    const timers = new Set<NodeJS.Timeout>();
    const consumer = kafka.consumer({
      kafkaJS: {
        groupId: o.group,
        fromBeginning: true,
        autoCommit: false,
        allowAutoTopicCreation: false,
        sessionTimeout: options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 500,
      },
      'js.consumer.max.batch.size': o.maxBatchSize ?? 500,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...o.topics] });
    let stopping = false;
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsInParallel ?? 1,
      eachBatch: async (payload: CkjsBatchPayload) => {
        const { batch } = payload;
        const messages = batch.messages.map((m) => toStored(batch.topic, batch.partition, m));
        const first = messages[0];
        const last = messages.at(-1);
        if (first === undefined || last === undefined) return;
        const key = `${batch.topic}/${batch.partition}`;
        try {
          await o.handleBatch({ topic: batch.topic, partition: batch.partition, messages });
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(last.offset + 1) },
          ]);
        } catch (error) {
          o.onError?.(error);
          const attempt = (failures.get(key) ?? 0) + 1;
          failures.set(key, attempt);
          const tp = [{ topic: batch.topic, partitions: [batch.partition] }];
          consumer.pause(tp);
          consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(first.offset) });
          const timer = setTimeout(
            () => {
              timers.delete(timer);
              if (!stopping) consumer.resume(tp);
            },
            retryDelayMs(attempt - 1, { firstMs: 100, maxMs: 5_000 }),
          );
          timers.add(timer);
          return;
        }
        failures.delete(key);
        payload.resolveOffset(String(last.offset));
      },
    });
    // The member id once the group formed (describeGroups), as the kafkajs adapter waits for its join.
    let memberId = '';
    const joinDeadline = Date.now() + 15_000;
    while (consumer.assignment().length === 0 && Date.now() < joinDeadline) await sleep(50);
    let stopped: Promise<void> | undefined;
    const handle: ConsumerHandle = {
      get memberId() {
        return memberId;
      },
      stop() {
        stopped ??= (async () => {
          stopping = true;
          for (const t of timers) clearTimeout(t);
          try {
            await consumer.disconnect();
          } finally {
            consumers.delete(handle);
          }
        })();
        return stopped;
      },
    };
    memberId = `${o.group}-member`;
    consumers.add(handle);
    return handle;
  }

  async function describeGroup(group: string, named: readonly string[]): Promise<GroupDescription> {
    await connectAdmin();
    const [described] = (await admin.describeGroups([group])).groups;
    const members = (described?.members ?? []).map((m) => ({
      memberId: m.memberId,
      assignments: (m.assignment?.topicPartitions ?? [])
        .map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: 0 }))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    }));
    const all = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
    const committed = all.length === 0 ? [] : await admin.fetchOffsets({ groupId: group, topics: all });
    const wanted = new Set([...named, ...members.flatMap((m) => m.assignments.map((a) => a.topic))]);
    for (const t of committed) if (t.partitions.some((p) => Number(p.offset) >= 0)) wanted.add(t.topic);
    const lag: PartitionLag[] = [];
    for (const topic of [...wanted].filter((t) => all.includes(t)).sort()) {
      const commits = committed.find((t) => t.topic === topic)?.partitions ?? [];
      for (const { partition, low, high } of await endOffsets(topic)) {
        const raw = Number(commits.find((p) => p.partition === partition)?.offset ?? -1);
        const committedOffset = raw >= 0 ? raw : 0;
        const nextRead = Math.max(committedOffset, low);
        const behind = Math.max(0, high - nextRead);
        const oldest = behind > 0 ? ((await read(topic, partition, nextRead, 1))[0]?.timestamp ?? null) : null;
        lag.push({ topic, partition, committedOffset, endOffset: high, lag: behind, oldestUnreadTimestamp: oldest });
      }
    }
    return { group, members, lag };
  }

  function open<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new DependencyError('bus', 'kafka: the bus is closed', { retryable: false }));
    return work().catch((error: unknown) => {
      throw busError(operation, error);
    });
  }

  return {
    ensureTopics: (specs: readonly TopicSpec[]) =>
      open('ensureTopics', async () => {
        if (specs.length === 0) return;
        await connectAdmin();
        await admin.createTopics({
          topics: specs.map((s) => ({ topic: s.name, numPartitions: s.partitions, replicationFactor: 1 })),
        });
        // No waitForLeaders in this client: wait until every partition reports a leader.
        for (const spec of specs) {
          topics.delete(spec.name);
          for (let i = 0; i < 100; i++) {
            const [meta] = await admin.fetchTopicMetadata({ topics: [spec.name] }).catch(() => []);
            if (meta !== undefined && meta.partitions.every((p) => p.leader >= 0)) break;
            await sleep(50);
          }
        }
      }),
    publish: (topic, messages) => open('publish', () => publish(topic, messages)),
    consume: (o) => open('consume', () => consume(o)),
    describeGroup: (group, named = []) => open('describeGroup', () => describeGroup(group, named)),
    listTopics: () =>
      open('listTopics', async () => {
        await connectAdmin();
        const names = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
        return Promise.all(
          names.map(async (name) => {
            const offsets = await endOffsets(name);
            return { name, partitions: offsets.length, endOffsets: offsets.map((x) => x.high) };
          }),
        );
      }),
    offsetsAtTime: (topic, timestamp) =>
      open('offsetsAtTime', async () => {
        await partitionCount(topic);
        const found = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
        return found
          .map((p) => ({ partition: Number(p.partition), offset: Number(p.offset) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    read: (topic, partition, fromOffset, limit) => open('read', () => read(topic, partition, fromOffset, limit)),
    ping: () =>
      open('ping', async () => {
        await Promise.race([
          (async () => {
            await connectAdmin();
            await admin.listTopics();
          })(),
          sleep(5_000).then(() => {
            throw new Error('no answer within 5000 ms');
          }),
        ]);
      }),
    async close() {
      if (closed) return;
      await Promise.allSettled([...consumers].map((c) => c.stop()));
      closed = true;
      await Promise.allSettled([
        producerReady === undefined ? undefined : producer.disconnect(),
        adminReady === undefined ? undefined : admin.disconnect(),
      ]);
    },
  };
}
