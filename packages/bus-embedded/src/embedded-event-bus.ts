import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { partitionForKey } from '@kafka-monitor/domain';
import type {
  ConsumeOptions,
  ConsumerHandle,
  EventBus,
  EventBusAdmin,
  GroupDescription,
  MessageBatch,
  MessagePosition,
  OffsetReset,
  OutgoingMessage,
  PartitionLag,
  RecordedOffsetReset,
  SnapshotFold,
  StoredMessage,
  TopicInfo,
  TopicSpec,
} from '@kafka-monitor/domain';
import {
  createSpaceTracker,
  isSqliteFull,
  openSqlite,
  startBackgroundCheckpoints,
  type PageLimit,
  type SpaceListener,
  type SqliteDatabase,
} from '@kafka-monitor/sqlite';
import { createEmbeddedAdmin } from './embedded-bus-admin.js';
import { EmbeddedBusError, createBusSettle } from './errors.js';
import {
  UNLIMITED_RETENTION,
  createRetention,
  messageBytes,
  type RetentionPass,
  type RetentionSettings,
} from './retention.js';
import { LOG_MIGRATIONS } from './schema.js';
import { createSnapshots } from './snapshots.js';

export { EmbeddedBusError, type EmbeddedBusErrorCode } from './errors.js';

export interface EmbeddedBusOptions {
  /** SQLite file of the log, or ':memory:' for a private in-process log. */
  readonly file: string;
  /** How often an idle consumer looks for messages appended by other processes. */
  readonly pollIntervalMs?: number;
  /** A member that has not sent a heartbeat for this long leaves the group. */
  readonly sessionTimeoutMs?: number;
  readonly now?: () => number;
  /** Checkpoint the WAL on a worker thread instead of in the appending call (long-running services). */
  readonly backgroundCheckpoints?: boolean;
  /** Told when appends and commits start and stop being refused for lack of space. */
  readonly onOutOfSpace?: SpaceListener;
  /** Caps the file's growth: a full disk for tests (see @kafka-monitor/sqlite). */
  readonly pageLimit?: PageLimit;
  /**
   * Retention of topics without their own retention.ms / retention.bytes (Kafka's log.retention.ms and
   * log.retention.bytes). Default: unlimited, so tests and tools that need whole logs keep them.
   */
  readonly retention?: RetentionSettings;
  /**
   * Deletes what retention allows every this many milliseconds, in the background (Kafka's
   * log.retention.check.interval.ms). Unset: never by itself, only through `enforceRetention`.
   */
  readonly retentionCheckIntervalMs?: number;
  /**
   * Topics whose deleted messages are folded into a snapshot first, by topic (see `SnapshotFold`):
   * retention never deletes past a snapshot's horizon, and `snapshotHorizons` / `snapshotEntries`
   * read it. Once a topic has one, every process opening the log keeps it (one without the fold
   * deletes nothing past the horizon).
   */
  readonly snapshots?: ReadonlyMap<string, SnapshotFold>;
  /** Told what each background retention pass deleted, or why it failed. */
  readonly onRetention?: (pass: RetentionPass) => void;
  readonly onRetentionError?: (error: unknown) => void;
}

/** A message as `read` returns it: offset, key, value, headers, timestamp (see `prepare`). */
type MessageRow = [offset: number, key: string | null, value: Buffer, headers: string | null, timestamp: number];

const encoder = new TextEncoder();

const HEARTBEAT_INTERVAL_MS = 1_000;
const MAX_RETRY_DELAY_MS = 5_000;
/**
 * Longest a consumer with a backlog keeps the event loop. Handlers on the synchronous SQLite store
 * settle as microtasks only, so without a turn of the loop a busy consumer would hold back HTTP
 * answers, timers and the other consumers until its backlog is gone (seconds at the generator's
 * maximum rate). A turn after every batch cost about a fifth of the embedded throughput in
 * `npm run bench`; one every 20 ms stayed within the spread of runs without any (docs/performance.md).
 */
const MAX_TURN_MS = 20;

/** The embedded log serves both roles on one SQLite connection; callers that only need one see only it. */
export type EmbeddedEventBus = EventBus &
  Required<Pick<EventBus, 'snapshotHorizons' | 'snapshotEntries' | 'snapshotEntryCount'>> &
  EventBusAdmin & {
    /** One retention pass now (what the background check does); resolves with what it deleted. */
    enforceRetention(): Promise<RetentionPass>;
  };

/**
 * A Kafka-shaped durable log on SQLite: topics with partitions, offsets, consumer groups with
 * committed offsets and members. Several processes may share the file; within one process, appends
 * wake the local consumers at once, and other processes' appends are found by polling.
 */
export function createEmbeddedEventBus(options: EmbeddedBusOptions): EmbeddedEventBus {
  const db = openSqlite(options.file, LOG_MIGRATIONS);
  options.pageLimit?.apply(db);
  const space = createSpaceTracker(db, options.onOutOfSpace);
  const settle = createBusSettle(space);
  const background =
    options.backgroundCheckpoints === true && options.file !== ':memory:'
      ? startBackgroundCheckpoints(db, options.file)
      : undefined;
  const now = options.now ?? Date.now;
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  const wakers = new Set<() => void>();
  const consumers = new Set<ConsumerHandle>();
  let closed = false;
  const roundRobin = new Map<string, number>();

  const statements = prepare(db);
  const retentionDefaults = options.retention ?? UNLIMITED_RETENTION;
  const snapshots = createSnapshots(db, options.snapshots ?? new Map());
  const retention = createRetention(db, now, retentionDefaults, snapshots);
  const retentionTimer =
    options.retentionCheckIntervalMs === undefined
      ? undefined
      : retention.schedule(
          options.retentionCheckIntervalMs,
          (pass) => options.onRetention?.(pass),
          (error) => options.onRetentionError?.(error),
        );

  function partitionCount(topic: string): number {
    const row = statements.topic.get(topic) as { partitions: number } | undefined;
    if (row === undefined) throw new EmbeddedBusError('UNKNOWN_TOPIC', `topic '${topic}' does not exist`);
    return row.partitions;
  }

  function choosePartition(topic: string, key: string | null, partitions: number): number {
    if (key !== null) return partitionForKey(encoder.encode(key), partitions);
    const next = roundRobin.get(topic) ?? 0;
    roundRobin.set(topic, next + 1);
    return next % partitions;
  }

  const appendAll = db.transaction((topic: string, messages: readonly OutgoingMessage[]): MessagePosition[] => {
    const partitions = partitionCount(topic);
    const stamp = now();
    const nextOffsets = new Map<number, number>();
    const addedBytes = new Map<number, number>();
    const positions: MessagePosition[] = [];
    for (const message of messages) {
      const partition = choosePartition(topic, message.key, partitions);
      let offset = nextOffsets.get(partition);
      if (offset === undefined) {
        offset = (statements.nextOffset.get(topic, partition) as { next_offset: number }).next_offset;
      }
      const value = typeof message.value === 'string' ? Buffer.from(message.value, 'utf8') : message.value;
      const headers = message.headers === undefined ? null : JSON.stringify(message.headers);
      statements.insertMessage.run(topic, partition, offset, message.key, value, headers, message.timestamp ?? stamp);
      positions.push({ topic, partition, offset });
      nextOffsets.set(partition, offset + 1);
      addedBytes.set(partition, (addedBytes.get(partition) ?? 0) + messageBytes(message.key, value, headers));
    }
    for (const [partition, next] of nextOffsets) {
      statements.setNextOffset.run(next, addedBytes.get(partition) ?? 0, topic, partition);
    }
    return positions;
  });

  function wakeConsumers(): void {
    for (const wake of wakers) wake();
  }

  function assertOpen(): void {
    if (closed) throw new EmbeddedBusError('BUS_CLOSED', 'the embedded bus is closed');
  }

  function liveMembers(group: string): { member_id: string; topics: string }[] {
    const cutoff = now() - sessionTimeoutMs;
    try {
      statements.pruneMembers.run(group, cutoff);
    } catch (error) {
      // Forgetting expired members is housekeeping: on a full disk, reads that only need the live
      // ones (a group's lag for the processors' status) still answer. Inside a change it is part of it.
      if (!isSqliteFull(error) || db.inTransaction) throw error;
    }
    return statements.liveMembers.all(group, cutoff) as { member_id: string; topics: string }[];
  }

  /** Spreads the sorted partitions of the group's topics over its sorted live members, round robin. */
  function assignments(group: string): Map<string, MessagePosition[]> {
    const members = liveMembers(group);
    const result = new Map<string, MessagePosition[]>(members.map((m) => [m.member_id, []]));
    const topics = [...new Set(members.flatMap((m) => JSON.parse(m.topics) as string[]))].sort();
    let index = 0;
    for (const topic of topics) {
      const row = statements.topic.get(topic) as { partitions: number } | undefined;
      if (row === undefined) continue;
      const subscribers = members.filter((m) => (JSON.parse(m.topics) as string[]).includes(topic));
      for (let partition = 0; partition < row.partitions; partition++) {
        const member = subscribers[index++ % subscribers.length];
        if (member !== undefined) result.get(member.member_id)?.push({ topic, partition, offset: 0 });
      }
    }
    return result;
  }

  function committed(group: string, topic: string, partition: number): number {
    const row = statements.committed.get(group, topic, partition) as { next_offset: number } | undefined;
    return row?.next_offset ?? 0;
  }

  function readRange(topic: string, partition: number, fromOffset: number, limit: number): StoredMessage[] {
    const rows = statements.read.all(topic, partition, fromOffset, limit) as MessageRow[];
    return rows.map(([offset, key, value, headers, timestamp]): StoredMessage => ({
      topic,
      partition,
      offset,
      key,
      value,
      headers: headers === null ? {} : (JSON.parse(headers) as Record<string, string>),
      timestamp,
    }));
  }

  function endOf(topic: string, partition: number): number {
    return (statements.nextOffset.get(topic, partition) as { next_offset: number }).next_offset;
  }

  /**
   * The end offset when nothing from `from` to the end is kept any more (retention emptied the
   * partition past the group's position); undefined when the group is simply caught up or a message
   * has just been appended. One read transaction, so an append in between cannot look like a deletion.
   */
  function emptiedEnd(topic: string, partition: number, from: number): number | undefined {
    return db.transaction(() => {
      const end = endOf(topic, partition);
      if (from >= end) return undefined;
      const kept = statements.firstFrom.get(topic, partition, from) as { offset: number | null };
      return kept.offset === null ? end : undefined;
    })();
  }

  function offsetResetsOf(group: string): RecordedOffsetReset[] {
    const rows = statements.offsetResets.all(group) as {
      topic: string;
      partition: number;
      from_offset: number;
      to_offset: number;
      at: number;
      count: number;
    }[];
    return rows.map((row) => ({
      topic: row.topic,
      partition: row.partition,
      fromOffset: row.from_offset,
      toOffset: row.to_offset,
      at: row.at,
      count: row.count,
    }));
  }

  function lagOf(group: string, topic: string, partitions: number): PartitionLag[] {
    const lags: PartitionLag[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      const committedOffset = committed(group, topic, partition);
      const endOffset = (statements.nextOffset.get(topic, partition) as { next_offset: number }).next_offset;
      const oldest =
        committedOffset < endOffset
          ? ((statements.timestampAt.get(topic, partition, committedOffset) as { timestamp: number } | undefined)
              ?.timestamp ?? null)
          : null;
      lags.push({
        topic,
        partition,
        committedOffset,
        endOffset,
        lag: endOffset - committedOffset,
        oldestUnreadTimestamp: oldest,
      });
    }
    return lags;
  }

  function startConsumer(consumeOptions: ConsumeOptions): ConsumerHandle {
    assertOpen();
    const { group, topics, handleBatch } = consumeOptions;
    const maxBatchSize = consumeOptions.maxBatchSize ?? 500;
    for (const topic of topics) partitionCount(topic);
    const memberId = `${group}-${randomUUID()}`;
    const joinedAt = now();
    statements.upsertMember.run(group, memberId, JSON.stringify(topics), joinedAt, joinedAt);

    let running = true;
    let wake: (() => void) | undefined;
    const waker = (): void => wake?.();
    wakers.add(waker);
    let lastHeartbeat = joinedAt;
    let owned: MessagePosition[] = [];
    let lastAssignment = 0;
    const positions = new Map<string, number>();
    let failures = 0;

    const idle = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });

    function refreshMembership(): void {
      const time = now();
      if (time - lastHeartbeat >= HEARTBEAT_INTERVAL_MS) {
        statements.heartbeat.run(time, group, memberId);
        lastHeartbeat = time;
      }
      if (time - lastAssignment >= HEARTBEAT_INTERVAL_MS || owned.length === 0) {
        const next = assignments(group).get(memberId) ?? [];
        // A partition handed back and forth must resume from the group's commit, not a stale local position.
        const keys = new Set(next.map((p) => `${p.topic}/${p.partition}`));
        for (const key of positions.keys()) if (!keys.has(key)) positions.delete(key);
        owned = next;
        lastAssignment = time;
      }
    }

    /**
     * Offsets of a partition are contiguous, so a read that starts past the asked offset, or finds
     * nothing before the end, means retention deleted what the group had not read: it resumes at the
     * log start (auto.offset.reset=earliest), recorded for the group's status and reported.
     */
    function resetToLogStart(position: MessagePosition, from: number, to: number): void {
      const reset: OffsetReset = {
        topic: position.topic,
        partition: position.partition,
        fromOffset: from,
        toOffset: to,
        at: now(),
      };
      db.transaction(() => {
        statements.recordReset.run(group, reset.topic, reset.partition, from, to, reset.at);
        statements.commit.run(group, reset.topic, reset.partition, to, reset.at);
      }).immediate();
      positions.set(`${position.topic}/${position.partition}`, to);
      consumeOptions.onOffsetReset?.(reset);
    }

    async function processOne(position: MessagePosition): Promise<boolean> {
      const key = `${position.topic}/${position.partition}`;
      let from = positions.get(key);
      if (from === undefined) {
        from = committed(group, position.topic, position.partition);
        positions.set(key, from);
      }
      const messages = readRange(position.topic, position.partition, from, maxBatchSize);
      const first = messages[0];
      const last = messages.at(-1);
      if (first === undefined || last === undefined) {
        const end = emptiedEnd(position.topic, position.partition, from);
        if (end !== undefined) resetToLogStart(position, from, end);
        return false;
      }
      if (first.offset > from) resetToLogStart(position, from, first.offset);
      const batch: MessageBatch = { topic: position.topic, partition: position.partition, messages };
      await handleBatch(batch);
      statements.commit.run(group, position.topic, position.partition, last.offset + 1, now());
      positions.set(key, last.offset + 1);
      return true;
    }

    async function loop(): Promise<void> {
      let turnStartedAt = performance.now();
      while (running) {
        let progressed = false;
        try {
          refreshMembership();
          for (const position of owned) {
            if (!running) break;
            if (await processOne(position)) progressed = true;
          }
          failures = 0;
          space.succeeded();
        } catch (error) {
          failures++;
          positions.clear();
          // Its own heartbeats and commits write to the log outside the port's calls.
          space.failed(error);
          consumeOptions.onError?.(error);
          if (running) await sleep(Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** failures));
          continue;
        }
        if (!progressed && running) {
          await idle(pollIntervalMs);
          turnStartedAt = performance.now();
        } else if (performance.now() - turnStartedAt >= MAX_TURN_MS) {
          await yieldToEventLoop();
          turnStartedAt = performance.now();
        }
      }
    }

    const loopDone = loop();
    const handle: ConsumerHandle = {
      memberId,
      async stop() {
        running = false;
        wake?.();
        await loopDone;
        wakers.delete(waker);
        consumers.delete(handle);
        if (!closed) statements.removeMember.run(group, memberId);
      },
    };
    consumers.add(handle);
    return handle;
  }

  const bus: EventBus & Required<Pick<EventBus, 'snapshotHorizons' | 'snapshotEntries' | 'snapshotEntryCount'>> = {
    ensureTopics: (specs: readonly TopicSpec[]) =>
      settle(() => {
        assertOpen();
        for (const spec of specs) {
          if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
            throw new EmbeddedBusError('INVALID_ARGUMENT', `topic '${spec.name}' needs at least one partition`);
          }
        }
        db.transaction(() => {
          for (const spec of specs) {
            if (statements.topic.get(spec.name) !== undefined) continue;
            statements.insertTopic.run(spec.name, spec.partitions, now());
            for (let p = 0; p < spec.partitions; p++) statements.insertPartition.run(spec.name, p);
          }
        }).immediate();
      }),

    publish: (topic, messages) =>
      settle(() => {
        assertOpen();
        if (messages.length === 0) return [];
        const positions = appendAll.immediate(topic, messages);
        wakeConsumers();
        return positions;
      }),

    consume: (consumeOptions) => settle(() => startConsumer(consumeOptions)),

    describeGroup: (group: string, extraTopics: readonly string[] = []): Promise<GroupDescription> =>
      settle(() => {
        assertOpen();
        const assigned = assignments(group);
        const topics = [
          ...extraTopics,
          ...(statements.groupTopics.all(group) as { topic: string }[]).map((r) => r.topic),
        ];
        for (const positionsOfMember of assigned.values()) for (const p of positionsOfMember) topics.push(p.topic);
        const lag = [...new Set(topics)].sort().flatMap((topic) => {
          const row = statements.topic.get(topic) as { partitions: number } | undefined;
          return row === undefined ? [] : lagOf(group, topic, row.partitions);
        });
        return {
          group,
          members: [...assigned].map(([memberId, assignments]) => ({ memberId, assignments })),
          lag,
          offsetResets: offsetResetsOf(group),
        };
      }),

    listTopics: (): Promise<readonly TopicInfo[]> =>
      settle(() => {
        assertOpen();
        const topics = statements.topics.all() as { name: string; partitions: number }[];
        return topics.map((t) => ({
          name: t.name,
          partitions: t.partitions,
          endOffsets: Array.from(
            { length: t.partitions },
            (_, p) => (statements.nextOffset.get(t.name, p) as { next_offset: number }).next_offset,
          ),
        }));
      }),

    offsetsAtTime: (topic, timestamp) =>
      settle(() => {
        assertOpen();
        return Array.from({ length: partitionCount(topic) }, (_, partition) => {
          const row = statements.firstAtOrAfter.get(topic, partition, timestamp) as { offset: number | null };
          const end = (statements.nextOffset.get(topic, partition) as { next_offset: number }).next_offset;
          return { partition, offset: row.offset ?? end };
        });
      }),

    read: (topic, partition, fromOffset, limit) =>
      settle(() => {
        assertOpen();
        partitionCount(topic);
        return readRange(topic, partition, fromOffset, limit);
      }),

    snapshotHorizons: (topic) =>
      settle(() => {
        assertOpen();
        return snapshots.horizons(topic, partitionCount(topic));
      }),

    snapshotEntryCount: (topic) =>
      settle(() => {
        assertOpen();
        return snapshots.entryCount(topic);
      }),

    snapshotEntries: (topic, horizons, after, limit) =>
      settle(() => {
        assertOpen();
        return snapshots.entries(topic, horizons, after, limit);
      }),

    ping: () =>
      settle(() => {
        assertOpen();
        statements.ping.get();
      }),

    async close() {
      if (closed) return;
      await Promise.all([...consumers].map((c) => c.stop()));
      closed = true;
      await retentionTimer?.stop();
      await background?.stop();
      db.close();
    },
  };
  const admin = createEmbeddedAdmin({
    db,
    file: options.file,
    now,
    sessionTimeoutMs,
    pollIntervalMs,
    assertOpen,
    liveMembers,
    settle,
    retention,
    snapshots,
    retentionDefaults,
    retentionCheckIntervalMs: options.retentionCheckIntervalMs,
  });
  return {
    ...bus,
    ...admin,
    enforceRetention: () => settle(assertOpen).then(() => retention.enforce()),
  };
}

function prepare(db: SqliteDatabase) {
  return {
    topic: db.prepare('SELECT partitions FROM topics WHERE name = ?'),
    topics: db.prepare('SELECT name, partitions FROM topics ORDER BY name'),
    insertTopic: db.prepare('INSERT INTO topics (name, partitions, created_at) VALUES (?, ?, ?)'),
    insertPartition: db.prepare('INSERT INTO partitions (topic, partition, next_offset) VALUES (?, ?, 0)'),
    nextOffset: db.prepare('SELECT next_offset FROM partitions WHERE topic = ? AND partition = ?'),
    setNextOffset: db.prepare(
      'UPDATE partitions SET next_offset = ?, bytes = bytes + ? WHERE topic = ? AND partition = ?',
    ),
    insertMessage: db.prepare(
      'INSERT INTO messages (topic, partition, offset, key, value, headers, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    // Rows as arrays, and only the columns the caller does not already know: the driver building an
    // object per row was about a third of reading a message (scripts/bench/log-read.ts).
    read: db
      .prepare(
        'SELECT offset, key, value, headers, timestamp FROM messages WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
      )
      .raw(true),
    firstAtOrAfter: db.prepare(
      'SELECT min(offset) AS offset FROM messages WHERE topic = ? AND partition = ? AND timestamp >= ?',
    ),
    firstFrom: db.prepare(
      'SELECT min(offset) AS offset FROM messages WHERE topic = ? AND partition = ? AND offset >= ?',
    ),
    timestampAt: db.prepare('SELECT timestamp FROM messages WHERE topic = ? AND partition = ? AND offset = ?'),
    committed: db.prepare('SELECT next_offset FROM group_offsets WHERE grp = ? AND topic = ? AND partition = ?'),
    // A member that lost a partition in a rebalance may still commit its last batch: never move backwards.
    commit: db.prepare(
      `INSERT INTO group_offsets (grp, topic, partition, next_offset, committed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (grp, topic, partition) DO UPDATE SET
         next_offset = max(next_offset, excluded.next_offset), committed_at = excluded.committed_at`,
    ),
    groupTopics: db.prepare('SELECT DISTINCT topic FROM group_offsets WHERE grp = ?'),
    recordReset: db.prepare(
      `INSERT INTO offset_resets (grp, topic, partition, from_offset, to_offset, at, count) VALUES (?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT (grp, topic, partition) DO UPDATE SET
         from_offset = excluded.from_offset, to_offset = excluded.to_offset, at = excluded.at, count = count + 1`,
    ),
    offsetResets: db.prepare(
      'SELECT topic, partition, from_offset, to_offset, at, count FROM offset_resets WHERE grp = ? ORDER BY topic, partition',
    ),
    upsertMember: db.prepare(
      `INSERT INTO group_members (grp, member_id, topics, joined_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (grp, member_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`,
    ),
    heartbeat: db.prepare('UPDATE group_members SET heartbeat_at = ? WHERE grp = ? AND member_id = ?'),
    removeMember: db.prepare('DELETE FROM group_members WHERE grp = ? AND member_id = ?'),
    pruneMembers: db.prepare('DELETE FROM group_members WHERE grp = ? AND heartbeat_at < ?'),
    liveMembers: db.prepare(
      'SELECT member_id, topics FROM group_members WHERE grp = ? AND heartbeat_at >= ? ORDER BY member_id',
    ),
    ping: db.prepare('SELECT 1'),
  };
}
