import { setTimeout as sleep } from 'node:timers/promises';
import { BusAdminError, checkResetTarget, clampOffset, groupNotEmpty, noCommittedOffset } from '@kafka-monitor/domain';
import type {
  ClusterInfo,
  ConfigEntry,
  EventBusAdmin,
  MessagePosition,
  OffsetResetTarget,
  PartitionOffsets,
} from '@kafka-monitor/domain';
import type { Admin, ConfigEntries, ConfigResourceTypes, ConfigSource, Kafka } from 'kafkajs';
import { busClosed, guardAdmin, isBusyGroupError, kafkaErrorTypes, toAdminError, type AdminSubject } from './errors.js';
import { clusterFactory } from './partition-reader.js';

/** What the admin role shares with the bus it belongs to (one kafkajs client, one topic cache). */
export interface KafkaAdminContext {
  readonly kafka: Kafka;
  /** The bus's kafkajs admin client (replaced when the bus starts its clients afresh). */
  admin(): Admin;
  connectAdmin(): Promise<void>;
  /** Runs work, starting the bus's clients afresh once if a deleted topic broke their metadata requests. */
  healing<T>(work: () => Promise<T>): Promise<T>;
  /** Names of the existing application and internal topics, asked from the brokers (refreshes the bus's cache). */
  topicNames(): Promise<ReadonlySet<string>>;
  /** Drops a topic from the bus's cache, so its next publish or read asks the brokers again. */
  forgetTopic(topic: string): void;
  /** After a deletion: the bus's own clients must stop asking for the topic. */
  topicDeleted(topic: string): Promise<void>;
  isClosed(): boolean;
  /**
   * How long a change waits for a group whose members all left to settle (Kafka answers "not empty"
   * until the rebalance their leaving started is over).
   */
  readonly groupSettleMs: number;
}

/*
 * Offsets are reset with a plain OffsetCommit carrying generation -1 and no member id, as Kafka's own
 * admin client does (alterConsumerGroupOffsets): the coordinator accepts it only while the group is
 * empty, so the "no live members" rule is enforced by the broker itself, atomically. kafkajs's
 * admin.setOffsets instead joins the group with a consumer, one topic at a time, which takes a
 * rebalance per topic and makes the group briefly non-empty. The request goes through the same
 * private cluster factory the partition reader borrows (see partition-reader.ts).
 */
interface CoordinatorBroker {
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    retentionTime: number;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}
interface CoordinatorCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(query: { groupId: string }): Promise<CoordinatorBroker>;
}

// kafkajs's ConfigResourceTypes values (Kafka's resource type codes). Its enum object cannot be imported
// by name under Node's ESM loader: the CommonJS export scan of kafkajs's index stops before it.
const TOPIC_RESOURCE = 2 as ConfigResourceTypes.TOPIC;
const BROKER_RESOURCE = 4 as ConfigResourceTypes.BROKER;
/** ConfigSource.TOPIC_CONFIG: a setting of the topic itself, not inherited from the broker. */
const TOPIC_CONFIG_SOURCE = 1 as ConfigSource.TOPIC_CONFIG;
const ADMIN_GENERATION = -1;
const NO_RETENTION_OVERRIDE = -1;
const SETTLE_POLL_MS = 200;
const DELETE_VISIBLE_MS = 10_000;

const isInternalTopic = (name: string): boolean => name.startsWith('__');
const byName = (a: ConfigEntry, b: ConfigEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** DescribeConfigs entries as the port reports them: sensitive values hidden, one entry per name, sorted. */
export function toConfigEntries(entries: readonly ConfigEntries[]): ConfigEntry[] {
  const seen = new Map<string, ConfigEntry>();
  for (const entry of entries) {
    if (seen.has(entry.configName)) continue;
    seen.set(entry.configName, {
      name: entry.configName,
      value: entry.isSensitive ? null : entry.configValue,
      isDefault: entry.isDefault,
    });
  }
  return [...seen.values()].sort(byName);
}

export interface KafkaBusAdmin {
  readonly role: EventBusAdmin;
  /** Closes the admin role's own coordinator connection; the shared kafkajs admin is closed by the bus. */
  close(): Promise<void>;
}

export function createKafkaBusAdmin(context: KafkaAdminContext): KafkaBusAdmin {
  const admin = (): Admin => context.admin();
  let coordinatorCluster: Promise<CoordinatorCluster> | undefined;

  function coordinators(): Promise<CoordinatorCluster> {
    coordinatorCluster ??= (async () => {
      const created = clusterFactory<CoordinatorCluster>(
        context.kafka,
        'reset offsets',
      )({ allowAutoTopicCreation: false, metadataMaxAge: 60_000 });
      await created.connect();
      return created;
    })().catch((error: unknown) => {
      coordinatorCluster = undefined;
      throw error;
    });
    return coordinatorCluster;
  }

  function run<T>(operation: string, subject: AdminSubject, work: () => Promise<T>): Promise<T> {
    if (context.isClosed()) return Promise.reject(busClosed());
    return guardAdmin(operation, subject, () =>
      context.healing(async () => {
        await context.connectAdmin();
        return work();
      }),
    );
  }

  async function requireTopic(topic: string): Promise<void> {
    if (!(await context.topicNames()).has(topic)) {
      throw new BusAdminError('UNKNOWN_TOPIC', `topic '${topic}' does not exist`);
    }
  }

  async function offsetsOf(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await admin().fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, earliest: Number(o.low), end: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** Live members as the group coordinator sees them; an unknown group has none. */
  async function liveMembers(group: string): Promise<number> {
    try {
      const [described] = (await admin().describeGroups([group])).groups;
      return described === undefined || described.state === 'Dead' ? 0 : described.members.length;
    } catch (error) {
      if (kafkaErrorTypes(error).includes('GROUP_ID_NOT_FOUND')) return 0;
      throw error;
    }
  }

  /**
   * Runs a change of the group once it has no live members. Members that just left make the broker
   * answer "not empty" until the rebalance they started is over (a moment), so that answer is tried
   * again for a bounded time while no member is listed; a listed member refuses at once.
   */
  async function whileEmpty<T>(group: string, action: string, change: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + context.groupSettleMs;
    for (;;) {
      const members = await liveMembers(group);
      if (members > 0) throw groupNotEmpty(group, action, members);
      try {
        return await change();
      } catch (error) {
        if (!isBusyGroupError(error) || Date.now() >= deadline) throw error;
        await sleep(SETTLE_POLL_MS);
      }
    }
  }

  /** Topics the group has committed offsets on, sorted. */
  async function committedTopics(group: string): Promise<string[]> {
    const candidates = [...(await context.topicNames())].filter((name) => !isInternalTopic(name)).sort();
    if (candidates.length === 0) return [];
    const committed = await admin().fetchOffsets({ groupId: group, topics: candidates });
    return committed
      .filter((topic) => topic.partitions.some((p) => Number(p.offset) >= 0))
      .map((topic) => topic.topic)
      .sort();
  }

  /** The group's committed offset per partition of the topic; -1 where it has none (kafkajs's answer). */
  async function committedOn(group: string, topic: string): Promise<Map<number, number>> {
    const [fetched] = await admin().fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((fetched?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  }

  async function targetOffsets(
    group: string,
    topic: string,
    target: OffsetResetTarget,
  ): Promise<{ partition: number; offset: number }[]> {
    if (target.to === 'shift') {
      const committed = await committedOn(group, topic);
      return (await offsetsOf(topic)).map((p) => {
        const current = committed.get(p.partition) ?? -1;
        if (current < 0) throw noCommittedOffset(group, topic, p.partition);
        return { partition: p.partition, offset: clampOffset(current + target.by, p.earliest, p.end) };
      });
    }
    if (target.to === 'timestamp') {
      // kafkajs answers the end offset for a partition with nothing at or after the time, as the port says.
      const found = await admin().fetchTopicOffsetsByTimestamp(topic, target.timestamp);
      return found.map((p) => ({ partition: p.partition, offset: Number(p.offset) }));
    }
    const pick = (p: PartitionOffsets): number =>
      target.to === 'earliest'
        ? p.earliest
        : target.to === 'latest'
          ? p.end
          : clampOffset(target.offset, p.earliest, p.end);
    return (await offsetsOf(topic)).map((p) => ({ partition: p.partition, offset: pick(p) }));
  }

  async function brokerConfigs(nodeId: number): Promise<ConfigEntry[]> {
    const response = await admin().describeConfigs({
      includeSynonyms: false,
      resources: [{ type: BROKER_RESOURCE, name: String(nodeId) }],
    });
    return toConfigEntries(response.resources[0]?.configEntries ?? []);
  }

  const role: EventBusAdmin = {
    deleteTopic: (topic) =>
      run('deleteTopic', { topic }, async () => {
        await requireTopic(topic);
        await admin().deleteTopics({ topics: [topic] });
        context.forgetTopic(topic);
        // The controller has recorded the deletion; wait until the metadata the brokers serve says so
        // too, so a listTopics or publish right after does not still see the topic.
        const deadline = Date.now() + DELETE_VISIBLE_MS;
        while ((await context.topicNames()).has(topic) && Date.now() < deadline) await sleep(SETTLE_POLL_MS);
        await context.topicDeleted(topic);
      }),

    topicOffsets: (topic) =>
      run('topicOffsets', { topic }, async () => {
        await requireTopic(topic);
        return offsetsOf(topic);
      }),

    topicConfig: (topic) =>
      run('topicConfig', { topic }, async () => {
        await requireTopic(topic);
        const response = await admin().describeConfigs({
          includeSynonyms: false,
          resources: [{ type: TOPIC_RESOURCE, name: topic }],
        });
        return toConfigEntries(response.resources[0]?.configEntries ?? []);
      }),

    alterTopicConfig: (topic, changes) =>
      run('alterTopicConfig', { topic }, async () => {
        await requireTopic(topic);
        // kafkajs has only the whole-set AlterConfigs: read the topic's own settings and send them back
        // with the changes, so the settings not named stay as they are.
        const response = await admin().describeConfigs({
          includeSynonyms: false,
          resources: [{ type: TOPIC_RESOURCE, name: topic }],
        });
        const own = new Map<string, string>();
        for (const e of response.resources[0]?.configEntries ?? []) {
          if (e.configSource === TOPIC_CONFIG_SOURCE && !e.isSensitive) own.set(e.configName, e.configValue);
        }
        for (const [name, value] of Object.entries(changes)) {
          if (value === null) own.delete(name);
          else own.set(name, value);
        }
        await admin().alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: TOPIC_RESOURCE,
              name: topic,
              configEntries: [...own].map(([name, value]) => ({ name, value })),
            },
          ],
        });
      }),

    deleteRecords: (topic, before) =>
      run('deleteRecords', { topic }, async () => {
        await requireTopic(topic);
        const offsets = await offsetsOf(topic);
        for (const { partition, offset } of before) {
          const range = offsets.find((p) => p.partition === partition);
          if (range === undefined) {
            throw new BusAdminError('INVALID_ARGUMENT', `topic '${topic}' has no partition ${partition}`);
          }
          if (!Number.isSafeInteger(offset) || offset < 0 || offset > range.end) {
            throw new BusAdminError(
              'INVALID_ARGUMENT',
              `offset ${offset} is outside partition ${partition} of '${topic}' (its end is ${range.end})`,
            );
          }
        }
        await admin().deleteTopicRecords({
          topic,
          partitions: before.map((p) => ({ partition: p.partition, offset: String(p.offset) })),
        });
      }),

    listGroups: () =>
      run('listGroups', {}, async () => {
        const { groups } = await admin().listGroups();
        return [...new Set(groups.map((g) => g.groupId))].sort();
      }),

    deleteGroup: (group) =>
      run('deleteGroup', { group, action: 'delete' }, () =>
        whileEmpty(group, 'delete', async () => {
          await admin().deleteGroups([group]);
        }),
      ),

    resetGroupOffsets: (group, target, requested, options) =>
      run('resetGroupOffsets', { group, action: 'reset the offsets of' }, async () => {
        checkResetTarget(target);
        const members = await liveMembers(group);
        if (members > 0) throw groupNotEmpty(group, 'reset the offsets of', members);
        const topics = requested === undefined ? await committedTopics(group) : [...new Set(requested)].sort();
        if (topics.length === 0) {
          throw new BusAdminError(
            'UNKNOWN_GROUP',
            `group '${group}' has no committed offsets; name the topics to reset it on`,
          );
        }
        for (const topic of topics) await requireTopic(topic);
        const positions: MessagePosition[] = [];
        const commit: { topic: string; partitions: { partition: number; offset: string }[] }[] = [];
        for (const topic of topics) {
          const offsets = (await targetOffsets(group, topic, target)).sort((a, b) => a.partition - b.partition);
          commit.push({
            topic,
            partitions: offsets.map((p) => ({ partition: p.partition, offset: String(p.offset) })),
          });
          positions.push(...offsets.map((p) => ({ topic, partition: p.partition, offset: p.offset })));
        }
        if (options?.dryRun === true) return positions;
        await whileEmpty(group, 'reset the offsets of', async () => {
          const coordinator = await (await coordinators()).findGroupCoordinator({ groupId: group });
          await coordinator.offsetCommit({
            groupId: group,
            groupGenerationId: ADMIN_GENERATION,
            memberId: '',
            retentionTime: NO_RETENTION_OVERRIDE,
            topics: commit,
          });
        });
        return positions;
      }),

    describeCluster: (): Promise<ClusterInfo> =>
      run('describeCluster', {}, async () => {
        const cluster = await admin().describeCluster();
        return {
          clusterId: cluster.clusterId,
          controllerId: cluster.controller,
          brokers: cluster.brokers
            .map((b) => ({ nodeId: b.nodeId, address: `${b.host}:${b.port}` }))
            .sort((a, b) => a.nodeId - b.nodeId),
        };
      }),

    brokerConfig: (nodeId) =>
      run('brokerConfig', {}, async () => {
        const cluster = await admin().describeCluster();
        const ids = cluster.brokers.map((b) => b.nodeId).sort((a, b) => a - b);
        if (nodeId !== undefined && !ids.includes(nodeId)) {
          throw new BusAdminError('INVALID_ARGUMENT', `Kafka has no broker ${nodeId}; brokers: ${ids.join(', ')}`);
        }
        // With KRaft the "controller" Kafka reports to clients is one of the brokers; fall back to the first.
        const chosen =
          nodeId ?? (cluster.controller !== null && ids.includes(cluster.controller) ? cluster.controller : ids[0]);
        if (chosen === undefined) throw new BusAdminError('INVALID_ARGUMENT', 'Kafka reported no brokers');
        return brokerConfigs(chosen);
      }),
  };

  return {
    role,
    async close() {
      const pending = coordinatorCluster;
      coordinatorCluster = undefined;
      // A connection that never opened has nothing to close.
      const connected = await pending?.catch(() => undefined);
      try {
        await connected?.disconnect();
      } catch (error) {
        throw toAdminError('close', error);
      }
    },
  };
}
