import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { BusAdminError } from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import type { FoldedRow, Snapshots } from './snapshots.js';

/** Kafka's retention settings of a topic; -1 is unlimited. */
export interface RetentionSettings {
  /** Messages whose timestamp is older than this many milliseconds are deleted. */
  readonly ms: number;
  /** Each partition keeps at most this many bytes (key, value and headers of its messages). */
  readonly bytes: number;
}

export const UNLIMITED_RETENTION: RetentionSettings = { ms: -1, bytes: -1 };

/** The topic settings the embedded log honours, by Kafka's names. */
export const RETENTION_CONFIG_NAMES = ['retention.ms', 'retention.bytes'] as const;
type RetentionConfigName = (typeof RETENTION_CONFIG_NAMES)[number];

/**
 * Messages examined per transaction. Each step holds the write lock for about a millisecond or two
 * (a few hundred rows deleted), so a producer in this or another process waits at most that long.
 */
const STEP_ROWS = 500;
/**
 * Messages per transaction on a topic with a snapshot: folding one (decode, insert its entry) costs
 * about ten times its deletion (decision 19), so fewer per step keep the lock as short.
 */
const FOLD_STEP_ROWS = 100;

export interface RetentionPass {
  readonly deletedMessages: number;
  readonly deletedBytes: number;
}

/** Which oldest messages of a partition go: below an offset, older than a time, or beyond a size. */
interface DeleteRule {
  readonly beforeOffset: number;
  /** Epoch ms; messages with an older timestamp go. null: no time limit. */
  readonly cutoff: number | null;
  /** Bytes the partition may keep; -1: no size limit. */
  readonly maxBytes: number;
}

type OldestRow = [offset: number, timestamp: number, size: number, ...rest: unknown[]];

export interface Retention {
  /** The topic's effective settings: its own, else the log's defaults. */
  settingsOf(topic: string): RetentionSettings & { readonly overridden: ReadonlySet<RetentionConfigName> };
  /** Validates every change first, then applies them all in one transaction. */
  alter(topic: string, changes: Readonly<Record<string, string | null>>): void;
  /** One pass over every partition of every topic, in short transactions with the event loop free between them. */
  enforce(): Promise<RetentionPass>;
  /** Deletes the messages of one partition below `offset`, in the same short steps. */
  deleteBefore(topic: string, partition: number, offset: number): Promise<number>;
  /** Runs `enforce` every `intervalMs` until `stop`; a failure is reported and the next pass tries again. */
  schedule(
    intervalMs: number,
    onPass: (pass: RetentionPass) => void,
    onError: (error: unknown) => void,
  ): { stop(): Promise<void> };
}

export function parseRetentionValue(name: string, value: string): number {
  const parsed = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < -1) {
    throw new BusAdminError(
      'INVALID_ARGUMENT',
      `${name} must be a whole number of at least -1 (unlimited); got '${value}'`,
    );
  }
  return parsed;
}

/**
 * Retention of the embedded log with Kafka's semantics: by time (the message timestamp against
 * retention.ms) and by size (retention.bytes per partition), always deleting a prefix of the
 * partition, so its log start only moves forward and what is kept stays contiguous. As in Kafka, a
 * message that is not old enough keeps everything after it. SQLite puts the freed pages on its free
 * list and the next appends reuse them, so the file stops growing once retention keeps pace.
 */
export function createRetention(
  db: SqliteDatabase,
  now: () => number,
  defaults: RetentionSettings,
  snapshots: Snapshots,
): Retention {
  const statements = prepare(db);

  function settingsOf(topic: string): RetentionSettings & { overridden: ReadonlySet<RetentionConfigName> } {
    const rows = statements.configs.all(topic) as { name: string; value: string }[];
    const own = new Map(rows.map((row) => [row.name, Number(row.value)]));
    return {
      ms: own.get('retention.ms') ?? defaults.ms,
      bytes: own.get('retention.bytes') ?? defaults.bytes,
      overridden: new Set([...own.keys()].filter(isRetentionName)),
    };
  }

  const alterAll = db.transaction((topic: string, changes: [RetentionConfigName, string | null][]) => {
    for (const [name, value] of changes) {
      if (value === null) statements.deleteConfig.run(topic, name);
      else statements.setConfig.run(topic, name, value);
    }
  });

  /**
   * Deletes the oldest messages the rule selects, up to one step's worth; returns what went. A topic
   * with a snapshot folds them into it first, in the same transaction, so its horizon and its log
   * start move together; a topic whose snapshot this process cannot fold keeps everything from the
   * horizon on.
   */
  const step = db.transaction((topic: string, partition: number, rule: DeleteRule) => {
    const size = (statements.size.get(topic, partition) as { bytes: number } | undefined)?.bytes ?? 0;
    const folds = snapshots.foldOf(topic) !== undefined;
    const ceiling = !folds && snapshots.guards(topic) ? snapshots.horizon(topic, partition) : Number.POSITIVE_INFINITY;
    const stepRows = folds ? FOLD_STEP_ROWS : STEP_ROWS;
    const rows = (folds ? statements.oldestWhole : statements.oldest).all(topic, partition, stepRows) as OldestRow[];
    let remaining = size;
    let upTo: number | undefined;
    let deleted = 0;
    for (const [offset, timestamp, bytes] of rows) {
      const goes =
        offset < ceiling &&
        (offset < rule.beforeOffset ||
          (rule.cutoff !== null && timestamp < rule.cutoff) ||
          (rule.maxBytes >= 0 && remaining > rule.maxBytes));
      if (!goes) break;
      upTo = offset + 1;
      remaining -= bytes;
      deleted++;
    }
    if (upTo === undefined) return { messages: 0, bytes: 0, more: false };
    if (folds) snapshots.keep(topic, partition, rows.slice(0, deleted) as unknown as FoldedRow[], upTo);
    statements.deleteBelow.run(topic, partition, upTo);
    statements.setSize.run(Math.max(0, remaining), topic, partition);
    return { messages: deleted, bytes: size - remaining, more: deleted === rows.length && rows.length === stepRows };
  });

  async function drain(topic: string, partition: number, rule: DeleteRule): Promise<RetentionPass> {
    let messages = 0;
    let bytes = 0;
    for (;;) {
      if (!db.open) break;
      const done = step.immediate(topic, partition, rule);
      messages += done.messages;
      bytes += done.bytes;
      if (!done.more) break;
      await yieldToEventLoop();
    }
    return { deletedMessages: messages, deletedBytes: bytes };
  }

  async function enforce(): Promise<RetentionPass> {
    let deletedMessages = 0;
    let deletedBytes = 0;
    const topics = statements.topics.all() as { name: string; partitions: number }[];
    for (const topic of topics) {
      const settings = settingsOf(topic.name);
      if (settings.ms < 0 && settings.bytes < 0) continue;
      const rule: DeleteRule = {
        beforeOffset: 0,
        cutoff: settings.ms < 0 ? null : now() - settings.ms,
        maxBytes: settings.bytes,
      };
      for (let partition = 0; partition < topic.partitions; partition++) {
        const pass = await drain(topic.name, partition, rule);
        deletedMessages += pass.deletedMessages;
        deletedBytes += pass.deletedBytes;
        await yieldToEventLoop();
      }
    }
    return { deletedMessages, deletedBytes };
  }

  let running: Promise<RetentionPass> | undefined;
  /** One pass at a time: the timer and a direct call share it. */
  function enforceOnce(): Promise<RetentionPass> {
    running ??= enforce().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    settingsOf,
    alter(topic, changes) {
      const checked: [RetentionConfigName, string | null][] = [];
      for (const [name, value] of Object.entries(changes)) {
        if (!isRetentionName(name)) {
          throw new BusAdminError(
            'INVALID_ARGUMENT',
            `the embedded log does not support the topic setting '${name}'; it supports ${RETENTION_CONFIG_NAMES.join(', ')}`,
          );
        }
        checked.push([name, value === null ? null : String(parseRetentionValue(name, value))]);
      }
      alterAll.immediate(topic, checked);
    },
    enforce: enforceOnce,
    async deleteBefore(topic, partition, offset) {
      const pass = await drain(topic, partition, { beforeOffset: offset, cutoff: null, maxBytes: -1 });
      return pass.deletedMessages;
    },
    schedule(intervalMs, onPass, onError) {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = (): void => {
        const pass = enforceOnce().then(onPass, onError);
        void pass.finally(() => {
          if (!stopped) arm();
        });
      };
      const arm = (): void => {
        timer = setTimeout(tick, intervalMs);
        // Housekeeping must never keep an otherwise finished process alive.
        timer.unref();
      };
      arm();
      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await running?.catch(() => undefined);
        },
      };
    },
  };
}

function isRetentionName(name: string): name is RetentionConfigName {
  return (RETENTION_CONFIG_NAMES as readonly string[]).includes(name);
}

/** Bytes a message counts for in retention.bytes; the same measure as the migration's initial sums. */
export function messageBytes(key: string | null, value: Uint8Array, headers: string | null): number {
  return (
    value.byteLength + (key === null ? 0 : Buffer.byteLength(key)) + (headers === null ? 0 : Buffer.byteLength(headers))
  );
}

function prepare(db: SqliteDatabase) {
  return {
    topics: db.prepare('SELECT name, partitions FROM topics ORDER BY name'),
    configs: db.prepare('SELECT name, value FROM topic_configs WHERE topic = ?'),
    setConfig: db.prepare(
      `INSERT INTO topic_configs (topic, name, value) VALUES (?, ?, ?)
       ON CONFLICT (topic, name) DO UPDATE SET value = excluded.value`,
    ),
    deleteConfig: db.prepare('DELETE FROM topic_configs WHERE topic = ? AND name = ?'),
    size: db.prepare('SELECT bytes FROM partitions WHERE topic = ? AND partition = ?'),
    oldest: db
      .prepare(
        `SELECT offset, timestamp,
                length(value) + coalesce(length(CAST(key AS BLOB)), 0) + coalesce(length(CAST(headers AS BLOB)), 0)
         FROM messages WHERE topic = ? AND partition = ? ORDER BY offset LIMIT ?`,
      )
      .raw(true),
    oldestWhole: db
      .prepare(
        `SELECT offset, timestamp,
                length(value) + coalesce(length(CAST(key AS BLOB)), 0) + coalesce(length(CAST(headers AS BLOB)), 0),
                key, value, headers
         FROM messages WHERE topic = ? AND partition = ? ORDER BY offset LIMIT ?`,
      )
      .raw(true),
    deleteBelow: db.prepare('DELETE FROM messages WHERE topic = ? AND partition = ? AND offset < ?'),
    setSize: db.prepare('UPDATE partitions SET bytes = ? WHERE topic = ? AND partition = ?'),
  };
}
