import { BusAdminError, checkResetTarget, clampOffset, groupNotEmpty, noCommittedOffset } from '@kafka-monitor/domain';
import type {
  ClusterInfo,
  ConfigEntry,
  EventBusAdmin,
  MessagePosition,
  OffsetResetTarget,
  PartitionOffsets,
} from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import type { Settle } from './errors.js';
import type { Retention, RetentionSettings } from './retention.js';
import type { Snapshots } from './snapshots.js';

/** What the admin role shares with the bus it belongs to: the connection and the group membership rules. */
export interface EmbeddedAdminContext {
  readonly db: SqliteDatabase;
  readonly file: string;
  readonly now: () => number;
  readonly sessionTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly assertOpen: () => void;
  /** Live members of a group, after forgetting those whose session expired. */
  readonly liveMembers: (group: string) => readonly { member_id: string }[];
  /** Runs the connection's work as a promise, as the bus does. */
  readonly settle: Settle;
  readonly retention: Retention;
  readonly snapshots: Snapshots;
  /** What topics without their own settings get (log.retention.ms, log.retention.bytes). */
  readonly retentionDefaults: RetentionSettings;
  readonly retentionCheckIntervalMs: number | undefined;
}

/** The embedded log has one "broker": the SQLite file. */
const NODE_ID = 0;

const entry = (name: string, value: string, isDefault = true): ConfigEntry => ({ name, value, isDefault });
const byName = (a: ConfigEntry, b: ConfigEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The EventBusAdmin role of the embedded log. Every change runs in one immediate (write-locked)
 * transaction, so the live-member check and the change it guards cannot be split by another process
 * joining the group in between.
 */
export function createEmbeddedAdmin(context: EmbeddedAdminContext): EventBusAdmin {
  const { db, now, assertOpen, liveMembers, settle } = context;
  const statements = prepare(db);

  function partitionsOf(topic: string): number {
    const row = statements.topic.get(topic) as { partitions: number } | undefined;
    if (row === undefined) throw new BusAdminError('UNKNOWN_TOPIC', `topic '${topic}' does not exist`);
    return row.partitions;
  }

  function endOffset(topic: string, partition: number): number {
    return (statements.nextOffset.get(topic, partition) as { next_offset: number }).next_offset;
  }

  /** The log start: the oldest message retention (or deleteRecords) left, else the end. */
  function earliestOffset(topic: string, partition: number): number {
    const row = statements.earliest.get(topic, partition) as { offset: number | null };
    return row.offset ?? endOffset(topic, partition);
  }

  function offsetFor(group: string, topic: string, partition: number, target: OffsetResetTarget): number {
    switch (target.to) {
      case 'earliest':
        return earliestOffset(topic, partition);
      case 'latest':
        return endOffset(topic, partition);
      case 'timestamp': {
        const row = statements.firstAtOrAfter.get(topic, partition, target.timestamp) as { offset: number | null };
        return row.offset ?? endOffset(topic, partition);
      }
      case 'offset':
        return clampOffset(target.offset, earliestOffset(topic, partition), endOffset(topic, partition));
      case 'shift': {
        const row = statements.committed.get(group, topic, partition) as { next_offset: number } | undefined;
        if (row === undefined) throw noCommittedOffset(group, topic, partition);
        return clampOffset(row.next_offset + target.by, earliestOffset(topic, partition), endOffset(topic, partition));
      }
    }
  }

  function refuseIfLive(group: string, action: string): void {
    const members = liveMembers(group).length;
    if (members > 0) throw groupNotEmpty(group, action, members);
  }

  const deleteTopic = db.transaction((topic: string) => {
    partitionsOf(topic);
    statements.deleteMessages.run(topic);
    statements.deletePartitions.run(topic);
    statements.deleteTopicOffsets.run(topic);
    statements.deleteTopicResets.run(topic);
    statements.deleteTopicConfigs.run(topic);
    context.snapshots.forget(topic);
    statements.deleteTopic.run(topic);
  });

  const deleteGroup = db.transaction((group: string) => {
    refuseIfLive(group, 'delete');
    const removed = statements.deleteGroupOffsets.run(group).changes;
    statements.deleteGroupResets.run(group);
    if (removed === 0) throw new BusAdminError('UNKNOWN_GROUP', `group '${group}' does not exist`);
  });

  const resetOffsets = db.transaction(
    (
      group: string,
      target: OffsetResetTarget,
      requested: readonly string[] | undefined,
      dryRun: boolean,
    ): MessagePosition[] => {
      refuseIfLive(group, 'reset the offsets of');
      const topics = requested ?? (statements.groupTopics.all(group) as { topic: string }[]).map((row) => row.topic);
      if (topics.length === 0) {
        throw new BusAdminError(
          'UNKNOWN_GROUP',
          `group '${group}' has no committed offsets; name the topics to reset it on`,
        );
      }
      const positions: MessagePosition[] = [];
      const stamp = now();
      for (const topic of [...new Set(topics)].sort()) {
        const partitions = partitionsOf(topic);
        for (let partition = 0; partition < partitions; partition++) {
          const offset = offsetFor(group, topic, partition, target);
          if (!dryRun) statements.setOffset.run(group, topic, partition, offset, stamp);
          positions.push({ topic, partition, offset });
        }
      }
      return positions;
    },
  );

  return {
    deleteTopic: (topic) =>
      settle(() => {
        assertOpen();
        deleteTopic.immediate(topic);
      }),

    topicOffsets: (topic): Promise<readonly PartitionOffsets[]> =>
      settle(() => {
        assertOpen();
        // One read transaction, so earliest and end of every partition are from the same moment.
        return db.transaction(() =>
          Array.from({ length: partitionsOf(topic) }, (_, partition) => ({
            partition,
            earliest: earliestOffset(topic, partition),
            end: endOffset(topic, partition),
          })),
        )();
      }),

    topicConfig: (topic) =>
      settle(() => {
        assertOpen();
        partitionsOf(topic);
        // Kafka's names, with the values that describe how the embedded log actually behaves.
        const retention = context.retention.settingsOf(topic);
        return [
          entry('cleanup.policy', 'delete'),
          entry('message.timestamp.type', 'CreateTime'),
          entry('min.insync.replicas', '1'),
          entry('retention.bytes', String(retention.bytes), !retention.overridden.has('retention.bytes')),
          entry('retention.ms', String(retention.ms), !retention.overridden.has('retention.ms')),
        ].sort(byName);
      }),

    alterTopicConfig: (topic, changes) =>
      settle(() => {
        assertOpen();
        partitionsOf(topic);
        context.retention.alter(topic, changes);
      }),

    deleteRecords: async (topic, before) => {
      const checked = await settle(() => {
        assertOpen();
        const partitions = partitionsOf(topic);
        for (const { partition, offset } of before) {
          if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
            throw new BusAdminError('INVALID_ARGUMENT', `topic '${topic}' has no partition ${partition}`);
          }
          const end = endOffset(topic, partition);
          if (!Number.isSafeInteger(offset) || offset < 0 || offset > end) {
            throw new BusAdminError(
              'INVALID_ARGUMENT',
              `offset ${offset} is outside partition ${partition} of '${topic}' (its end is ${end})`,
            );
          }
        }
        return before;
      });
      for (const { partition, offset } of checked) await context.retention.deleteBefore(topic, partition, offset);
    },

    listGroups: () =>
      settle(() => {
        assertOpen();
        statements.pruneAllMembers.run(now() - context.sessionTimeoutMs);
        return (statements.groups.all() as { grp: string }[]).map((row) => row.grp);
      }),

    deleteGroup: (group) =>
      settle(() => {
        assertOpen();
        deleteGroup.immediate(group);
      }),

    resetGroupOffsets: (group, target, topics, options) =>
      settle(() => {
        assertOpen();
        checkResetTarget(target);
        return resetOffsets.immediate(group, target, topics, options?.dryRun === true);
      }),

    describeCluster: (): Promise<ClusterInfo> =>
      settle(() => {
        assertOpen();
        statements.ping.get();
        return {
          clusterId: `embedded:${context.file}`,
          controllerId: NODE_ID,
          brokers: [{ nodeId: NODE_ID, address: context.file }],
        };
      }),

    brokerConfig: (nodeId) =>
      settle(() => {
        assertOpen();
        if (nodeId !== undefined && nodeId !== NODE_ID) {
          throw new BusAdminError('INVALID_ARGUMENT', `the embedded log has only broker ${NODE_ID}; got ${nodeId}`);
        }
        const pragma = (name: string): string => String(db.pragma(name, { simple: true }));
        return [
          entry('auto.create.topics.enable', 'false'),
          entry('log.dir', context.file, false),
          entry('log.retention.bytes', String(context.retentionDefaults.bytes)),
          entry(
            'log.retention.check.interval.ms',
            String(context.retentionCheckIntervalMs ?? -1),
            context.retentionCheckIntervalMs === undefined,
          ),
          entry('log.retention.ms', String(context.retentionDefaults.ms)),
          entry('sqlite.auto_vacuum', pragma('auto_vacuum')),
          entry('sqlite.freelist_count', pragma('freelist_count')),
          entry('consumer.poll.interval.ms', String(context.pollIntervalMs)),
          entry('session.timeout.ms', String(context.sessionTimeoutMs)),
          entry('sqlite.busy_timeout.ms', pragma('busy_timeout')),
          entry('sqlite.journal_mode', pragma('journal_mode')),
          entry('sqlite.page_count', pragma('page_count')),
          entry('sqlite.page_size', pragma('page_size')),
          entry('sqlite.schema_version', pragma('user_version')),
        ].sort(byName);
      }),
  };
}

function prepare(db: SqliteDatabase) {
  return {
    topic: db.prepare('SELECT partitions FROM topics WHERE name = ?'),
    nextOffset: db.prepare('SELECT next_offset FROM partitions WHERE topic = ? AND partition = ?'),
    earliest: db.prepare('SELECT min(offset) AS offset FROM messages WHERE topic = ? AND partition = ?'),
    firstAtOrAfter: db.prepare(
      'SELECT min(offset) AS offset FROM messages WHERE topic = ? AND partition = ? AND timestamp >= ?',
    ),
    deleteMessages: db.prepare('DELETE FROM messages WHERE topic = ?'),
    deletePartitions: db.prepare('DELETE FROM partitions WHERE topic = ?'),
    deleteTopicOffsets: db.prepare('DELETE FROM group_offsets WHERE topic = ?'),
    deleteTopic: db.prepare('DELETE FROM topics WHERE name = ?'),
    deleteTopicResets: db.prepare('DELETE FROM offset_resets WHERE topic = ?'),
    deleteTopicConfigs: db.prepare('DELETE FROM topic_configs WHERE topic = ?'),
    deleteGroupResets: db.prepare('DELETE FROM offset_resets WHERE grp = ?'),
    groupTopics: db.prepare('SELECT DISTINCT topic FROM group_offsets WHERE grp = ? ORDER BY topic'),
    committed: db.prepare('SELECT next_offset FROM group_offsets WHERE grp = ? AND topic = ? AND partition = ?'),
    groups: db.prepare('SELECT grp FROM group_offsets UNION SELECT grp FROM group_members ORDER BY grp'),
    pruneAllMembers: db.prepare('DELETE FROM group_members WHERE heartbeat_at < ?'),
    deleteGroupOffsets: db.prepare('DELETE FROM group_offsets WHERE grp = ?'),
    // Unlike a consumer's commit, a reset may move backwards: that is its purpose.
    setOffset: db.prepare(
      `INSERT INTO group_offsets (grp, topic, partition, next_offset, committed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (grp, topic, partition) DO UPDATE SET
         next_offset = excluded.next_offset, committed_at = excluded.committed_at`,
    ),
    ping: db.prepare('SELECT 1'),
  };
}
