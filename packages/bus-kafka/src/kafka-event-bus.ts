import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyError } from '@kafka-monitor/domain';
import type {
  ConsumeOptions,
  ConsumerHandle,
  EventBus,
  EventBusAdmin,
  GroupDescription,
  MessagePosition,
  OutgoingMessage,
  PartitionLag,
  StoredMessage,
  TopicInfo,
  TopicSpec,
} from '@kafka-monitor/domain';
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Admin, LogEntry, PartitionMetadata, Producer, RetryOptions } from 'kafkajs';
import { ConnectionWatch } from './connection-watch.js';
import { startConsumer, type ConsumerSettings } from './consumer.js';
import { createKafkaBusAdmin } from './kafka-bus-admin.js';
import { busClosed, guard, kafkaErrorType, kafkaErrorTypes, toBusError, unknownTopic } from './errors.js';
import { toKafkaMessage, toStoredMessage } from './messages.js';
import { createPartitionReader } from './partition-reader.js';
import { kafkajsSecurity, type KafkaSaslOptions, type KafkaTlsOptions } from './security.js';

export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface KafkaEventBusOptions {
  /** host:port pairs; use 127.0.0.1 rather than localhost (Node may resolve localhost to ::1 first). */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** TLS to the brokers (Kafka's SSL and SASL_SSL); plaintext when absent. */
  readonly tls?: KafkaTlsOptions | undefined;
  /** SASL authentication (Kafka's SASL_PLAINTEXT and SASL_SSL); none when absent. */
  readonly sasl?: KafkaSaslOptions | undefined;
  /** Replicas of topics created by ensureTopics; default min(3, brokers in the cluster). */
  readonly replicationFactor?: number;
  /** Idempotent producer (exactly one copy per acknowledged send, even across retries); default true. */
  readonly idempotent?: boolean;
  /** A member silent for this long leaves its group; default 10 s. */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Longest time an idle fetch waits at the broker; also bounds how long stop() waits. Default 500 ms. */
  readonly maxWaitMs?: number;
  /**
   * Batches of different partitions one consumer handles at once; default 1 (one after the other). Each
   * partition stays in order whatever the value; more lets a slow store write of one partition overlap
   * with the others' instead of adding to their latency.
   */
  readonly partitionsInParallel?: number;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Reconnect/retry backoff of every kafkajs client: first delay, longest delay, attempts per call. */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number; readonly retries?: number };
  /** publish() fails after this long instead of waiting for every retry of kafkajs; default 60 s. */
  readonly publishTimeoutMs?: number;
  /** ping() fails after this long instead of waiting for every retry; default 5 s. */
  readonly pingTimeoutMs?: number;
  /**
   * How long deleteGroup and resetGroupOffsets wait for a group whose consumers just stopped to settle
   * (Kafka still calls it non-empty while the rebalance their leaving started finishes); default 10 s.
   * A group with listed members is refused at once.
   */
  readonly groupSettleMs?: number;
  /**
   * Opens the TCP connections to the brokers (default: net.connect with keep-alive, tls.connect with
   * `tls`). Tests pass one that cuts connections at chosen moments, as a broker going away mid-request
   * does; it replaces TLS too.
   */
  readonly connect?: (target: {
    readonly host: string;
    readonly port: number;
    readonly onConnect: () => void;
  }) => Socket;
  /** Where kafkajs's own log lines go; silent by default (failures reach callers as DependencyError). */
  readonly log?: (level: KafkaLogLevel, message: string, context: Record<string, unknown>) => void;
}

/** Internal topics (__consumer_offsets, __transaction_state, …) are Kafka's, not the application's. */
const isInternalTopic = (name: string): boolean => name.startsWith('__');
const TOPIC_CACHE_MS = 60_000;
const HEALING_ATTEMPTS = 3;
const HEALING_DELAY_MS = 200;
/** Broker answers meaning "your metadata is stale", not "this is wrong". */
const STALE_METADATA = ['UNKNOWN_TOPIC_OR_PARTITION', 'NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE'];

function logCreator(log: KafkaEventBusOptions['log'], isClosed: () => boolean) {
  const levels: Record<number, KafkaLogLevel> = {
    [logLevel.ERROR]: 'error',
    [logLevel.WARN]: 'warn',
    [logLevel.INFO]: 'info',
    [logLevel.DEBUG]: 'debug',
  };
  return () =>
    ({ level, log: entry }: LogEntry) => {
      // After close, kafkajs may still be working through the retries of a connect that failed; nothing
      // it says then concerns anyone.
      if (isClosed()) return;
      const { message, ...context } = entry;
      log?.(levels[level] ?? 'info', message, context);
    };
}

/** Both roles on one kafkajs client, as the embedded log offers them. */
export type KafkaEventBus = EventBus & EventBusAdmin;

/**
 * The EventBus and EventBusAdmin ports on Apache Kafka through kafkajs. Topics are only ever created by ensureTopics
 * (auto-creation is off on the clients, and expected off on the brokers); keys pick partitions with
 * Kafka's murmur2 partitioner, the same function the embedded log uses; sends wait for all in-sync
 * replicas; consumers commit by hand after their handler resolved.
 */
export function createKafkaEventBus(options: KafkaEventBusOptions): KafkaEventBus {
  if (options.brokers.length === 0)
    throw new DependencyError('bus', 'kafka: no brokers configured', { retryable: false });
  const retry: RetryOptions = {
    initialRetryTime: options.retry?.initialMs ?? 300,
    maxRetryTime: options.retry?.maxMs ?? 10_000,
    retries: options.retry?.retries ?? 8,
  };
  const idempotent = options.idempotent ?? true;
  const publishTimeoutMs = options.publishTimeoutMs ?? 60_000;
  const connect = options.connect;
  const security = kafkajsSecurity(options);
  const watch = new ConnectionWatch({ sasl: security.sasl !== undefined });
  let kafka: Kafka;
  function newAdmin(): Admin {
    return kafka.admin({ retry });
  }
  function newProducer(): Producer {
    return kafka.producer({
      idempotent,
      // One request in flight per broker keeps each partition in order across retries, idempotent or not.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // kafkajs refuses an idempotent producer without retries: the broker dedupes exactly those retries.
      retry: idempotent ? { ...retry, retries: Math.max(1, retry.retries ?? 1) } : retry,
    });
  }
  let admin: Admin;
  let producer: Producer;
  try {
    kafka = new Kafka({
      clientId: options.clientId ?? 'kafka-monitor',
      brokers: [...options.brokers],
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      retry,
      logLevel: options.log === undefined ? logLevel.NOTHING : logLevel.INFO,
      logCreator: logCreator(options.log, () => watch.closed),
      ...(security.ssl === undefined ? {} : { ssl: security.ssl }),
      ...(security.sasl === undefined ? {} : { sasl: security.sasl }),
      socketFactory:
        connect === undefined
          ? watch.socketFactory(security.ssl)
          : ({ host, port, onConnect }) => connect({ host, port, onConnect }),
    });
    admin = newAdmin();
    producer = newProducer();
  } catch (error) {
    throw toBusError('configure', error);
  }
  // kafkajs's Java-compatible partitioner (murmur2 of the key bytes), called here rather than inside
  // send() so the bus knows which partition each message went to and can report every offset.
  const partitioner = Partitioners.DefaultPartitioner();
  const settings: ConsumerSettings = {
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
    maxWaitMs: options.maxWaitMs ?? 500,
    retry,
    joinWaitMs: 15_000,
    firstRetryDelayMs: 100,
    maxRetryDelayMs: 5_000,
    stallRestartMs: 30_000,
    partitionsInParallel: options.partitionsInParallel ?? 1,
  };
  const topics = new Map<string, { partitions: PartitionMetadata[]; at: number }>();
  const consumers = new Set<ConsumerHandle>();
  let closed = false;

  let adminReady: Promise<void> | undefined;
  let producerReady: Promise<void> | undefined;
  // Connections are opened on first use and opened again after a failure, so a bus created while the
  // brokers are down starts working once they are back (kafkajs reconnects established clients itself).
  function connectAdmin(): Promise<void> {
    if (closed) return Promise.reject(busClosed());
    // The watch fails the attempt at the first handshake refused for the client's settings, instead of
    // after every retry of kafkajs.
    adminReady ??= watch.guard(admin.connect()).catch((error: unknown) => {
      adminReady = undefined;
      throw error;
    });
    return adminReady;
  }
  /** The current producer, connected; the one returned is the one to send with (it may be retired meanwhile). */
  async function connectedProducer(): Promise<Producer> {
    if (closed) throw busClosed();
    const current = producer;
    producerReady ??= watch.guard(current.connect()).catch((error: unknown) => {
      if (producer === current) producerReady = undefined;
      throw error;
    });
    await producerReady;
    return current;
  }

  /**
   * Replaces a producer whose send failed by a new one (a new producer id, sequence numbers from 0).
   * An idempotent producer numbers each partition's batches and kafkajs rolls the count back when a send
   * fails; but a request whose answer was lost (the broker went down mid-request) may have been
   * appended, and then the producer's next batch reuses numbers the broker already holds: the broker
   * acknowledges a batch of the same size as a retry without appending it (a lost message) and refuses
   * any other (OUT_OF_ORDER_SEQUENCE_NUMBER) for as long as the producer lives. Sends still in flight on
   * the old producer fail and are retried by their callers.
   */
  function retireProducer(failed: Producer): void {
    if (failed !== producer || closed) return;
    const wasConnected = producerReady !== undefined;
    producer = newProducer();
    producerReady = undefined;
    if (wasConnected) void failed.disconnect().catch(() => undefined);
  }

  async function logStart(topic: string, partition: number): Promise<number> {
    await connectAdmin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return Number(offsets.find((o) => o.partition === partition)?.low ?? 0);
  }
  const reader = createPartitionReader(kafka, logStart);

  async function refreshTopics(): Promise<void> {
    await connectAdmin();
    const metadata = await admin.fetchTopicMetadata();
    const at = Date.now();
    topics.clear();
    for (const topic of metadata.topics) topics.set(topic.name, { partitions: topic.partitions, at });
  }

  /** Partition metadata of a topic, from a short-lived cache; rejects with "does not exist" when missing. */
  async function partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const cached = topics.get(topic);
    if (cached !== undefined && Date.now() - cached.at < TOPIC_CACHE_MS) return cached.partitions;
    await refreshTopics();
    const fresh = topics.get(topic);
    if (fresh === undefined) throw unknownTopic(topic);
    return fresh.partitions;
  }

  async function publish(topic: string, messages: readonly OutgoingMessage[]): Promise<readonly MessagePosition[]> {
    if (messages.length === 0) return [];
    const partitionMetadata = await partitionsOf(topic);
    const partitions = messages.map((message) =>
      partitioner({ topic, partitionMetadata, message: { key: message.key, value: null } }),
    );
    const sender = await connectedProducer();
    let results;
    let timer: NodeJS.Timeout | undefined;
    try {
      // kafkajs bounds each request but not a send: its retries of requests that time out can add up to
      // minutes. A caller gets an answer within publishTimeoutMs and can retry (the producer is replaced).
      results = await Promise.race([
        sender.send({
          topic,
          acks: -1,
          messages: messages.map((message, index) => toKafkaMessage(message, partitions[index] ?? 0)),
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new DependencyError('bus', `kafka publish: no acknowledgement within ${publishTimeoutMs} ms`)),
            publishTimeoutMs,
          );
        }),
      ]);
    } catch (error) {
      retireProducer(sender);
      if (kafkaErrorType(error) === 'UNKNOWN_TOPIC_OR_PARTITION' || hasUnknownTopicCause(error)) {
        topics.delete(topic);
        throw unknownTopic(topic, error);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
    // kafkajs sends each partition's messages as one record batch, in the order given, and reports the
    // batch's base offset: the n-th message of a partition in this call got base + n.
    const next = new Map<number, number>();
    for (const result of results) {
      if (result.baseOffset === undefined) throw new DependencyError('bus', 'kafka publish: the broker gave no offset');
      next.set(result.partition, Number(result.baseOffset));
    }
    return partitions.map((partition) => {
      const offset = next.get(partition);
      if (offset === undefined)
        throw new DependencyError('bus', `kafka publish: no acknowledgement for partition ${partition}`);
      next.set(partition, offset + 1);
      return { topic, partition, offset };
    });
  }

  async function endOffsets(topic: string): Promise<{ partition: number; low: number; high: number }[]> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async function read(topic: string, partition: number, fromOffset: number, limit: number): Promise<StoredMessage[]> {
    const partitions = await partitionsOf(topic);
    if (!partitions.some((p) => p.partitionId === partition)) {
      throw new DependencyError('bus', `kafka read: topic '${topic}' has no partition ${partition}`, {
        retryable: false,
      });
    }
    if (limit <= 0) return [];
    const records = await reader.read(topic, partition, Math.max(0, fromOffset), limit);
    return records.map((record) => toStoredMessage(topic, partition, record));
  }

  async function describeGroup(group: string, named: readonly string[]): Promise<GroupDescription> {
    await connectAdmin();
    const [described] = (await admin.describeGroups([group])).groups;
    const members = (described?.members ?? []).map((member) => {
      const assignment =
        member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
      const subscription =
        member.memberMetadata.length > 0 ? AssignerProtocol.MemberMetadata.decode(member.memberMetadata) : null;
      const assignments = Object.entries(assignment?.assignment ?? {}).flatMap(([topic, partitions]) =>
        [...partitions].sort((a, b) => a - b).map((partition) => ({ topic, partition, offset: 0 })),
      );
      return { memberId: member.memberId, assignments, subscribed: subscription?.topics ?? [] };
    });
    // Kafka has no "topics of a group" call: a group's topics are those its members subscribe to plus
    // those it ever committed on, which an offset fetch over all topics reveals.
    await refreshTopics();
    const candidates = [...topics.keys()].filter((name) => !isInternalTopic(name)).sort();
    const committed = candidates.length === 0 ? [] : await admin.fetchOffsets({ groupId: group, topics: candidates });
    const wanted = new Set([
      ...named,
      ...members.flatMap((m) => [...m.subscribed, ...m.assignments.map((a) => a.topic)]),
    ]);
    for (const topic of committed) if (topic.partitions.some((p) => Number(p.offset) >= 0)) wanted.add(topic.topic);

    const lag: PartitionLag[] = [];
    for (const topic of [...wanted].filter((name) => topics.has(name)).sort()) {
      const commits = committed.find((t) => t.topic === topic)?.partitions ?? [];
      for (const { partition, low, high } of await endOffsets(topic)) {
        const raw = Number(commits.find((p) => p.partition === partition)?.offset ?? -1);
        // "0 when it never committed", as the port says; the lag still starts at the oldest kept message.
        const committedOffset = raw >= 0 ? raw : 0;
        const nextRead = Math.max(committedOffset, low);
        const behind = Math.max(0, high - nextRead);
        const oldest = behind > 0 ? ((await reader.read(topic, partition, nextRead, 1))[0]?.timestamp ?? null) : null;
        lag.push({
          topic,
          partition,
          committedOffset,
          endOffset: high,
          lag: behind,
          oldestUnreadTimestamp: oldest === null ? null : Number(oldest),
        });
      }
    }
    return {
      group,
      members: members.map(({ memberId, assignments }) => ({ memberId, assignments })),
      lag,
    };
  }

  /**
   * kafkajs clients keep asking the brokers' metadata for every topic they ever used, and once one of
   * those is deleted (by this bus or any other client) every such request fails with
   * UNKNOWN_TOPIC_OR_PARTITION, for every topic. The way out is new clients without that memory.
   */
  async function startAfresh(): Promise<void> {
    const previous = { producer, admin, producerReady, adminReady };
    producer = newProducer();
    admin = newAdmin();
    producerReady = undefined;
    adminReady = undefined;
    topics.clear();
    await Promise.allSettled([
      previous.producerReady === undefined ? undefined : previous.producer.disconnect(),
      previous.adminReady === undefined ? undefined : previous.admin.disconnect(),
      reader.close(),
    ]);
  }

  /**
   * Runs work; when the clients' view of the topics is out of date (a deleted topic breaks their
   * metadata requests; a topic created a moment ago has no leader yet), starts afresh and tries again
   * a few times, briefly. Anything else, or the same failure after that, goes to the caller.
   */
  async function healing<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt > HEALING_ATTEMPTS || !hasStaleMetadataCause(error)) throw error;
        await startAfresh();
        await sleep(HEALING_DELAY_MS * attempt);
      }
    }
  }

  const busAdmin = createKafkaBusAdmin({
    kafka,
    admin: () => admin,
    connectAdmin,
    healing,
    topicNames: async () => {
      await refreshTopics();
      return new Set(topics.keys());
    },
    forgetTopic: (topic) => topics.delete(topic),
    topicDeleted: async (topic) => {
      topics.delete(topic);
      await startAfresh();
    },
    isClosed: () => closed,
    groupSettleMs: options.groupSettleMs ?? 10_000,
  });

  function open<T>(operation: string, work: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(busClosed());
    return guard(operation, () => healing(work));
  }

  return {
    ...busAdmin.role,

    ensureTopics: (specs: readonly TopicSpec[]) =>
      open('ensureTopics', async () => {
        for (const spec of specs) {
          if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
            throw new DependencyError('bus', `kafka: topic '${spec.name}' needs at least one partition`, {
              retryable: false,
            });
          }
        }
        if (specs.length === 0) return;
        await connectAdmin();
        const replicationFactor =
          options.replicationFactor ?? Math.min(3, (await admin.describeCluster()).brokers.length);
        // Already existing topics are skipped by kafkajs (TOPIC_ALREADY_EXISTS is not an error here),
        // and waitForLeaders makes the new partitions writable before this resolves.
        await admin.createTopics({
          waitForLeaders: true,
          topics: specs.map((spec) => ({ topic: spec.name, numPartitions: spec.partitions, replicationFactor })),
        });
        for (const spec of specs) topics.delete(spec.name);
      }),

    publish: (topic, messages) => open('publish', () => publish(topic, messages)),

    consume: (consumeOptions: ConsumeOptions) =>
      open('consume', async () => {
        for (const topic of consumeOptions.topics) await partitionsOf(topic);
        const handle = await startConsumer(kafka, settings, consumeOptions, (stopped) => consumers.delete(stopped));
        consumers.add(handle);
        return handle;
      }),

    describeGroup: (group, named = []) => open('describeGroup', () => describeGroup(group, named)),

    listTopics: (): Promise<readonly TopicInfo[]> =>
      open('listTopics', async () => {
        await refreshTopics();
        const names = [...topics.keys()].filter((name) => !isInternalTopic(name)).sort();
        return Promise.all(
          names.map(async (name) => {
            const offsets = await endOffsets(name);
            return { name, partitions: offsets.length, endOffsets: offsets.map((o) => o.high) };
          }),
        );
      }),

    offsetsAtTime: (topic, timestamp) =>
      open('offsetsAtTime', async () => {
        // An unknown topic is refused at once, as by read and publish (kafkajs would retry its metadata).
        await partitionsOf(topic);
        await connectAdmin();
        // kafkajs answers the end offset for a partition with nothing at or after the time.
        const found = await admin.fetchTopicOffsetsByTimestamp(topic, timestamp);
        return found
          .map((p) => ({ partition: p.partition, offset: Number(p.offset) }))
          .sort((a, b) => a.partition - b.partition);
      }),
    read: (topic, partition, fromOffset, limit) => open('read', () => read(topic, partition, fromOffset, limit)),

    ping: () =>
      open('ping', async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeoutMs = options.pingTimeoutMs ?? 5_000;
        try {
          await Promise.race([
            (async () => {
              await connectAdmin();
              await admin.describeCluster();
            })(),
            new Promise<never>((_, reject) => {
              // The likely cause, when the sockets saw one, says more than the silence.
              timer = setTimeout(
                () => reject(watch.last ?? new Error(`no answer within ${timeoutMs} ms; is the bus reachable?`)),
                timeoutMs,
              );
            }),
          ]);
        } finally {
          clearTimeout(timer);
        }
      }),

    async close() {
      if (closed) return;
      // Consumers first: they finish and commit their batch in flight before the connections go.
      await Promise.allSettled([...consumers].map((c) => c.stop()));
      closed = true;
      watch.close();
      const results = await Promise.allSettled([
        producer.disconnect(),
        admin.disconnect(),
        reader.close(),
        busAdmin.close(),
      ]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw toBusError('close', failed.reason);
    },
  };
}

function hasStaleMetadataCause(error: unknown): boolean {
  return kafkaErrorTypes(error).some((type) => STALE_METADATA.includes(type));
}

/** kafkajs wraps a send's final failure (after its retries) in KafkaJSNumberOfRetriesExceeded. */
function hasUnknownTopicCause(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (kafkaErrorType(current) === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
    current =
      (current as { cause?: unknown; originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}
