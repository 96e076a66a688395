import { DependencyError } from '@kafka-monitor/domain';
import type { Kafka } from 'kafkajs';
import { kafkaErrorType } from './errors.js';
import type { RawRecord } from './messages.js';

/*
 * kafkajs has no public way to read a partition from an offset without joining a consumer group (a
 * group join per read would take seconds and leave groups behind). Its Kafka client does build a
 * `Cluster` for every producer, consumer and admin through a private factory; this module borrows that
 * factory and sends plain Fetch requests to the partition leader. kafkajs is pinned to 2.2.4 and no
 * longer released, so these internals cannot move under us; the factory is looked up defensively and
 * a clear error names the cause if it is ever missing.
 */

interface FetchPartitionResponse {
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: readonly (RawRecord & { readonly isControlRecord?: boolean })[];
}

interface InternalBroker {
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: FetchPartitionResponse[] }[] }>;
}

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): readonly { partitionId: number; leader: number }[];
  findBroker(query: { nodeId: string }): Promise<InternalBroker>;
}

type ClusterFactory<C> = (options: { allowAutoTopicCreation: boolean; metadataMaxAge: number }) => C;

const READ_COMMITTED = 1;
const CONSUMER_REPLICA_ID = -1;
const FETCH_MAX_BYTES = 1024 * 1024;

/**
 * kafkajs's private factory of `Cluster` objects (what its producer, consumer and admin are built on),
 * typed by the caller with the few methods it uses; `purpose` names the caller in the error.
 */
export function clusterFactory<C>(kafka: Kafka, purpose: string): ClusterFactory<C> {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const factory: unknown = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof factory !== 'function') {
    throw new DependencyError('bus', `kafka ${purpose}: this kafkajs version does not expose its cluster factory`, {
      retryable: false,
    });
  }
  return factory as ClusterFactory<C>;
}

export interface PartitionReader {
  /** Records of one partition from `fromOffset` on, at most `limit`; offsets past the end give none. */
  read(topic: string, partition: number, fromOffset: number, limit: number): Promise<RawRecord[]>;
  close(): Promise<void>;
}

export function createPartitionReader(
  kafka: Kafka,
  logStart: (topic: string, partition: number) => Promise<number>,
): PartitionReader {
  let cluster: InternalCluster | undefined;
  let connecting: Promise<InternalCluster> | undefined;

  function connected(): Promise<InternalCluster> {
    connecting ??= (async () => {
      const created = clusterFactory<InternalCluster>(
        kafka,
        'read',
      )({ allowAutoTopicCreation: false, metadataMaxAge: 60_000 });
      await created.connect();
      cluster = created;
      return created;
    })().catch((error: unknown) => {
      // The next read tries again instead of failing forever on one refused connection.
      connecting = undefined;
      throw error;
    });
    return connecting;
  }

  async function leaderOf(current: InternalCluster, topic: string, partition: number): Promise<InternalBroker> {
    await current.addTargetTopic(topic);
    const meta = current.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition);
    if (meta === undefined) {
      throw new DependencyError('bus', `kafka read: topic '${topic}' has no partition ${partition}`, {
        retryable: false,
      });
    }
    return current.findBroker({ nodeId: String(meta.leader) });
  }

  async function fetchOnce(
    topic: string,
    partition: number,
    offset: number,
  ): Promise<FetchPartitionResponse | undefined> {
    const current = await connected();
    const request = {
      replicaId: CONSUMER_REPLICA_ID,
      isolationLevel: READ_COMMITTED,
      maxWaitTime: 0,
      minBytes: 0,
      maxBytes: FETCH_MAX_BYTES,
      topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: FETCH_MAX_BYTES }] }],
    };
    let response;
    try {
      response = await (await leaderOf(current, topic, partition)).fetch(request);
    } catch (error) {
      const type = kafkaErrorType(error);
      // A leader moved: refresh the metadata once and ask the new leader.
      if (
        type !== 'NOT_LEADER_FOR_PARTITION' &&
        type !== 'LEADER_NOT_AVAILABLE' &&
        type !== 'UNKNOWN_TOPIC_OR_PARTITION'
      ) {
        throw error;
      }
      await current.refreshMetadata();
      response = await (await leaderOf(current, topic, partition)).fetch(request);
    }
    return response.responses.find((r) => r.topicName === topic)?.partitions.find((p) => p.partition === partition);
  }

  return {
    async read(topic, partition, fromOffset, limit) {
      const records: RawRecord[] = [];
      let offset = fromOffset;
      while (records.length < limit) {
        let fetched: FetchPartitionResponse | undefined;
        try {
          fetched = await fetchOnce(topic, partition, offset);
        } catch (error) {
          if (kafkaErrorType(error) !== 'OFFSET_OUT_OF_RANGE') throw error;
          // Below the log start (retention removed it): continue from the oldest message still kept.
          const start = await logStart(topic, partition);
          if (offset >= start) return records;
          offset = start;
          continue;
        }
        if (fetched === undefined || fetched.messages.length === 0) break;
        let next = offset;
        for (const record of fetched.messages) {
          const at = Number(record.offset);
          next = Math.max(next, at + 1);
          // A fetch starts at the beginning of the record batch holding `offset`: skip what comes before.
          if (at < offset || record.isControlRecord === true) continue;
          records.push(record);
          if (records.length >= limit) break;
        }
        if (next === offset || next >= Number(fetched.highWatermark)) break;
        offset = next;
      }
      return records;
    },
    async close() {
      connecting = undefined;
      const current = cluster;
      cluster = undefined;
      await current?.disconnect();
    },
  };
}
