/** A message to append. The key picks the partition (same key, same partition, kept in order). */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: Uint8Array | string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Epoch ms; the bus stamps the append time when absent. */
  readonly timestamp?: number;
}

export interface StoredMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** The exact bytes that were appended; decoding (and rejecting) them is the consumer's job. */
  readonly value: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number;
}

/** Where a snapshot entry's message was on its topic. */
export interface SnapshotPosition {
  readonly partition: number;
  readonly offset: number;
}

/** What a topic's snapshot kept of one deleted message: its position and the fold's value. */
export interface SnapshotEntry extends SnapshotPosition {
  readonly value: string;
}

/**
 * What the snapshot of a topic keeps of a message before retention deletes it: a key and a value,
 * opaque to the log, or null for nothing. Of several messages with one key, the first is kept and the
 * later ones are not, so the entries are the messages that changed a first-wins fold.
 */
export type SnapshotFold = (message: StoredMessage) => { readonly key: string; readonly value: string } | null;

/** Consecutive messages of one partition, in offset order. */
export interface MessageBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly StoredMessage[];
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface TopicInfo extends TopicSpec {
  /** Offset the next appended message gets, per partition. */
  readonly endOffsets: readonly number[];
}

export interface MessagePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Next offset the group will read; 0 when it never committed. */
  readonly committedOffset: number;
  readonly endOffset: number;
  readonly lag: number;
  /** Append time of the oldest unread message, for a lag-in-seconds estimate; null when caught up. */
  readonly oldestUnreadTimestamp: number | null;
}

/**
 * A group's position was below the partition's log start (retention deleted what it had not read yet),
 * so it resumed at the log start: Kafka's `auto.offset.reset=earliest`. The messages in between were
 * never delivered to the group.
 */
export interface OffsetReset {
  readonly topic: string;
  readonly partition: number;
  /** The offset the group would have read next. */
  readonly fromOffset: number;
  /** The log start it resumed at. */
  readonly toOffset: number;
  /** Epoch ms. */
  readonly at: number;
}

/** The latest reset of a group on one partition, with how many it has had there in all. */
export interface RecordedOffsetReset extends OffsetReset {
  readonly count: number;
}

export interface GroupDescription {
  readonly group: string;
  readonly members: readonly { readonly memberId: string; readonly assignments: readonly MessagePosition[] }[];
  readonly lag: readonly PartitionLag[];
  /**
   * Resets to the log start the bus recorded for the group, per partition, sorted by topic and
   * partition; absent when the bus does not record them (Kafka's brokers do not).
   */
  readonly offsetResets?: readonly RecordedOffsetReset[];
}

export interface ConsumeOptions {
  readonly group: string;
  readonly topics: readonly string[];
  /**
   * Called with one batch at a time per partition. The offsets are committed only after the returned
   * promise resolves; if it rejects, the same batch is delivered again after a backoff. So delivery
   * is at least once: a crash between the effect and the commit redelivers the batch.
   */
  readonly handleBatch: (batch: MessageBatch) => Promise<void>;
  readonly maxBatchSize?: number;
  /** Called when handling or committing failed, before the retry; the consumer keeps going. */
  readonly onError?: (error: unknown) => void;
  /**
   * Called when the group's position on a partition was below the log start and the consumer moved
   * it there (see `OffsetReset`), before the first batch from the new position.
   */
  readonly onOffsetReset?: (reset: OffsetReset) => void;
}

export interface ConsumerHandle {
  readonly memberId: string;
  /** Stops fetching, waits for the batch in flight to finish and commit, then leaves the group. */
  stop(): Promise<void>;
}

/**
 * The message bus. Guarantees: an append resolves only once it is durable; messages with the same key
 * land in the same partition in append order; a group's committed offsets survive restarts; each
 * partition is consumed by one member of a group at a time, in order. A group whose committed offset
 * fell below the log start (retention deleted the messages) resumes at the log start, as Kafka's
 * `auto.offset.reset=earliest` does, and `onOffsetReset` says so. Operators' requests (delete a
 * topic, reset a group's offsets) are the separate `EventBusAdmin` role, which services never get.
 */
export interface EventBus {
  /** Creates missing topics with the given partition counts; existing topics are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<readonly MessagePosition[]>;
  consume(options: ConsumeOptions): Promise<ConsumerHandle>;
  /**
   * Members, assignments and lag of a group. Lag covers the topics the group committed on or its
   * members subscribe to, plus `topics` when given: a group that never committed still shows its lag.
   */
  describeGroup(group: string, topics?: readonly string[]): Promise<GroupDescription>;
  listTopics(): Promise<readonly TopicInfo[]>;
  /**
   * For each partition of the topic, in partition order, the first offset whose message has a
   * timestamp at or after `timestamp` (epoch ms), or the end offset when none has: Kafka's ListOffsets
   * by time. One request, no messages read. Rejects for a topic that does not exist.
   */
  offsetsAtTime(topic: string, timestamp: number): Promise<readonly { partition: number; offset: number }[]>;
  /** Reads messages from one partition starting at an offset, without any group. */
  read(topic: string, partition: number, fromOffset: number, limit: number): Promise<readonly StoredMessage[]>;
  /**
   * A log that folds what retention deletes into a snapshot of the topic (see `SnapshotFold`) has
   * these two; a log without one (Kafka: the broker's retention is the operator's) has neither.
   * Per partition, in partition order, the horizon: every message below it was folded into the
   * snapshot before it was deleted (0: none). Retention never deletes above it.
   */
  snapshotHorizons?(topic: string): Promise<readonly number[]>;
  /**
   * Entries of the topic's snapshot below `horizons`, in (partition, offset) order, after `after`
   * (null: from the first), at most `limit`. Entries are never changed or removed once written, so
   * pages read while retention advances the snapshot still form the snapshot at `horizons`.
   */
  snapshotEntries?(
    topic: string,
    horizons: readonly number[],
    after: SnapshotPosition | null,
    limit: number,
  ): Promise<readonly SnapshotEntry[]>;
  /** How many entries the topic's snapshot holds now (one read, for estimates). */
  snapshotEntryCount?(topic: string): Promise<number>;
  /** Resolves when the bus answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
