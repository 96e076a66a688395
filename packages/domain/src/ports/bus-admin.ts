import type { MessagePosition } from './event-bus.js';

/** One configuration setting as a broker reports it (Kafka's DescribeConfigs entry, trimmed). */
export interface ConfigEntry {
  readonly name: string;
  /** Null for a sensitive value the broker will not show. */
  readonly value: string | null;
  /** True when nothing overrides the built-in default. */
  readonly isDefault: boolean;
}

/** The retained range of one partition: `earliest` is the oldest offset still kept, `end` the next to be written. */
export interface PartitionOffsets {
  readonly partition: number;
  readonly earliest: number;
  readonly end: number;
}

export interface BrokerInfo {
  readonly nodeId: number;
  /** host:port for a network broker; where the log lives for an embedded one. */
  readonly address: string;
}

export interface ClusterInfo {
  readonly clusterId: string;
  /** The broker that acts as controller, when the bus has one. */
  readonly controllerId: number | null;
  readonly brokers: readonly BrokerInfo[];
}

/**
 * Where a reset moves a group's offsets on each partition: the oldest kept message, the end of the
 * log (skip everything), the first message appended at or after a time (the end when there is none),
 * a given offset, or the group's committed offset moved by `by` (negative: back). An offset or a shift
 * is brought into the retained range as Kafka does (below it: earliest; past it: end); a shift needs
 * a committed offset on every partition it moves, as kafka-consumer-groups --shift-by does.
 */
export type OffsetResetTarget =
  | { readonly to: 'earliest' }
  | { readonly to: 'latest' }
  | { readonly to: 'timestamp'; readonly timestamp: number }
  | { readonly to: 'offset'; readonly offset: number }
  | { readonly to: 'shift'; readonly by: number };

export interface OffsetResetOptions {
  /** Compute and return the new offsets, with every check of a real reset, but change nothing. */
  readonly dryRun?: boolean;
}

/**
 * Administration of the bus beyond what the pipeline needs: what an operator's command line does.
 * Kept as a separate role from `EventBus` so services never receive it; an adapter usually implements
 * both on one client (kafkajs's admin covers every method here).
 *
 * Guarantees: failures the caller can act on reject with `BusAdminError` (`UNKNOWN_TOPIC`,
 * `UNKNOWN_GROUP`, `GROUP_NOT_EMPTY`, `INVALID_ARGUMENT`); a failure of the bus itself rejects with
 * `DependencyError('bus')`. A group "has live members" while any consumer of it is running, or until
 * the session timeout after one died; offsets of such a group are never changed, as Kafka refuses to.
 */
export interface EventBusAdmin {
  /**
   * Deletes a topic with all its messages and every group's committed offsets on it. A consumer still
   * subscribed stops receiving from it. Rejects `UNKNOWN_TOPIC` when it does not exist.
   */
  deleteTopic(topic: string): Promise<void>;
  /** Oldest kept and next offset per partition, in partition order. Rejects `UNKNOWN_TOPIC`. */
  topicOffsets(topic: string): Promise<readonly PartitionOffsets[]>;
  /** The topic's effective configuration, sorted by name. Rejects `UNKNOWN_TOPIC`. */
  topicConfig(topic: string): Promise<readonly ConfigEntry[]>;
  /**
   * Sets (a string) or removes (null: back to the default) the named settings of a topic, leaving the
   * others as they are (kafka-configs --alter --add-config / --delete-config). Rejects `UNKNOWN_TOPIC`,
   * and `INVALID_ARGUMENT` for a setting the bus does not know or a value it refuses (nothing is changed).
   */
  alterTopicConfig(topic: string, changes: Readonly<Record<string, string | null>>): Promise<void>;
  /**
   * Deletes every message of each given partition below `offset`, which becomes its log start (Kafka's
   * DeleteRecords, kafka-delete-records). Rejects `UNKNOWN_TOPIC`, and `INVALID_ARGUMENT` for an offset
   * past the partition's end or a partition the topic does not have.
   */
  deleteRecords(topic: string, before: readonly { partition: number; offset: number }[]): Promise<void>;
  /** Every group that has live members or committed offsets, sorted. */
  listGroups(): Promise<readonly string[]>;
  /**
   * Forgets a group and its committed offsets. Rejects `GROUP_NOT_EMPTY` while it has live members
   * and `UNKNOWN_GROUP` when there is nothing to delete.
   */
  deleteGroup(group: string): Promise<void>;
  /**
   * Sets the group's committed offsets on every partition of `topics` (default: the topics it has
   * committed on) and returns them, sorted by topic and partition. Unlike a commit, this may move
   * offsets backwards: consumers that start afterwards read again from there. Rejects
   * `GROUP_NOT_EMPTY` while the group has live members (nothing is changed), `UNKNOWN_GROUP` when no
   * topics are given and the group has committed nothing, `UNKNOWN_TOPIC` for a missing topic,
   * `INVALID_ARGUMENT` for a time or offset that is not a finite (non-negative whole) number, a shift
   * that is not a whole number, or a shift on a partition the group has no committed offset on. With
   * `dryRun` the same checks run and the same positions are returned, but nothing is committed.
   */
  resetGroupOffsets(
    group: string,
    target: OffsetResetTarget,
    topics?: readonly string[],
    options?: OffsetResetOptions,
  ): Promise<readonly MessagePosition[]>;
  describeCluster(): Promise<ClusterInfo>;
  /** Configuration of one broker (default: the controller, else the first), sorted by name. */
  brokerConfig(nodeId?: number): Promise<readonly ConfigEntry[]>;
}
