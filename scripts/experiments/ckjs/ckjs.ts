/**
 * @confluentinc/kafka-javascript, loaded at run time and typed here with only what the experiment uses:
 * the package is not a dependency of the project (docs/decisions/0021), so neither its types nor the
 * module are there when the project is type-checked or built.
 */
import { createRequire } from 'node:module';

type Config = Record<string, unknown>;
export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export interface CkjsRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, HeaderValue>;
}

export interface CkjsAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  fetchTopicMetadata(options: {
    topics: string[];
  }): Promise<{ name: string; partitions: { partitionId: number; leader: number }[] }[]>;
  fetchTopicOffsets(topic: string): Promise<{ partition: number; low: string; high: string }[]>;
  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<{ partition: number; offset: string }[]>;
  createTopics(options: {
    topics: { topic: string; numPartitions: number; replicationFactor: number }[];
  }): Promise<boolean>;
  describeGroups(groups: string[]): Promise<{
    groups: {
      members: { memberId: string; assignment?: { topicPartitions: { topic: string; partition: number }[] } }[];
    }[];
  }>;
  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

export interface CkjsProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: {
    topic: string;
    messages: {
      key: string | null;
      value: string | Buffer;
      partition?: number;
      headers?: Record<string, string>;
      timestamp?: string;
    }[];
  }): Promise<{ partition: number; baseOffset?: string }[]>;
}

export interface CkjsBatchPayload {
  readonly batch: {
    readonly topic: string;
    readonly partition: number;
    readonly messages: CkjsRecord[];
    lastOffset(): string;
  };
  resolveOffset(offset: string): void;
}

export type TopicPartitions = { topic: string; partitions: number[] }[];

export interface CkjsConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[] }): Promise<void>;
  run(config: {
    eachBatchAutoResolve?: boolean;
    partitionsConsumedConcurrently?: number;
    eachBatch: (payload: CkjsBatchPayload) => Promise<void>;
  }): Promise<void>;
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  pause(topics: TopicPartitions): void;
  resume(topics: TopicPartitions): void;
  seek(position: { topic: string; partition: number; offset: string }): void;
  assignment(): unknown[];
}

export interface CkjsKafka {
  admin(): CkjsAdmin;
  producer(config: Config): CkjsProducer;
  consumer(config: Config): CkjsConsumer;
}

export interface NativeMessage {
  readonly offset: number;
  readonly timestamp?: number;
  readonly key?: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, Buffer | string>[];
}

/** node-rdkafka's consumer: manual assignment without a group join. */
export interface NativeConsumer {
  connect(options: Config, callback: (error: Error | null | undefined) => void): void;
  assign(assignments: { topic: string; partition: number; offset: number }[]): void;
  consume(count: number, callback: (error: Error | null | undefined, messages: NativeMessage[]) => void): void;
  disconnect(callback: () => void): void;
}

export interface Ckjs {
  readonly KafkaJS: {
    readonly Kafka: new (config: Config) => CkjsKafka;
    readonly logLevel: { readonly NOTHING: number };
  };
  readonly KafkaConsumer: new (config: Config, topicConfig: Config) => NativeConsumer;
  readonly librdkafkaVersion: string;
}

export const ckjs = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as Ckjs;
