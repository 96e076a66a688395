import type {
  CollectedDeadLetter,
  DeadLetter,
  DeadLetterAction,
  DeadLetterReasonCount,
  DeadLetterStatus,
  DeadLetterStore,
} from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import type { Settle } from './checkpoint.js';

interface DeadLetterRow {
  id: string;
  source_topic: string;
  source_partition: number;
  source_offset: number;
  message_key: string | null;
  value: Buffer;
  headers: string;
  reason: string;
  groups: string;
  failed_at: number;
  status: DeadLetterStatus;
  updated_at: number;
}

interface ActionRow {
  dead_letter_id: string;
  action: DeadLetterAction['action'];
  at: number;
  actor: string;
  note: string | null;
  edited_payload: string | null;
  redriven_topic: string | null;
  redriven_partition: number | null;
  redriven_offset: number | null;
}

const fromRow = (r: DeadLetterRow): DeadLetter => ({
  id: r.id,
  topic: r.source_topic,
  partition: r.source_partition,
  offset: r.source_offset,
  key: r.message_key,
  value: new Uint8Array(r.value),
  headers: JSON.parse(r.headers) as Record<string, string>,
  reason: r.reason,
  groups: JSON.parse(r.groups) as string[],
  failedAt: r.failed_at,
  status: r.status,
  updatedAt: r.updated_at,
});

const actionFromRow = (r: ActionRow): DeadLetterAction => ({
  deadLetterId: r.dead_letter_id,
  action: r.action,
  at: r.at,
  actor: r.actor,
  note: r.note,
  editedPayload: r.edited_payload,
  redrivenTo:
    r.redriven_topic === null
      ? null
      : { topic: r.redriven_topic, partition: r.redriven_partition ?? 0, offset: r.redriven_offset ?? 0 },
});

export function createSqliteDeadLetterStore(db: SqliteDatabase, settle: Settle): DeadLetterStore {
  const sql = {
    insert: db.prepare(
      `INSERT OR IGNORE INTO dead_letters (id, source_topic, source_partition, source_offset, message_key, value,
         headers, reason, groups, failed_at, status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ),
    groups: db.prepare('SELECT groups FROM dead_letters WHERE id = ?'),
    setGroups: db.prepare('UPDATE dead_letters SET groups = ? WHERE id = ?'),
    byId: db.prepare('SELECT * FROM dead_letters WHERE id = ?'),
    byKey: db.prepare('SELECT * FROM dead_letters WHERE message_key = ? ORDER BY failed_at, id LIMIT ?'),
    newest: db.prepare('SELECT * FROM dead_letters WHERE status = ? ORDER BY failed_at DESC, id DESC LIMIT ?'),
    newestOfReason: db.prepare(
      'SELECT * FROM dead_letters WHERE status = ? AND reason = ? ORDER BY failed_at DESC, id DESC LIMIT ?',
    ),
    reasons: db.prepare(
      'SELECT reason, COUNT(*) AS count FROM dead_letters WHERE status = ? GROUP BY reason ORDER BY count DESC, reason',
    ),
    counts: db.prepare(
      `SELECT topic, reason, status, SUM(count) AS count FROM (
         SELECT source_topic AS topic, reason, status, COUNT(*) AS count FROM dead_letters
         GROUP BY source_topic, reason, status
         UNION ALL
         SELECT source_topic AS topic, reason, status, count FROM dead_letters_expired
       ) GROUP BY topic, reason, status`,
    ),
    expirable: db.prepare(
      `SELECT id, source_topic, reason, status FROM dead_letters
       WHERE status = ? AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    ),
    deleteLetter: db.prepare('DELETE FROM dead_letters WHERE id = ?'),
    deleteActions: db.prepare('DELETE FROM dead_letter_actions WHERE dead_letter_id = ?'),
    countExpired: db.prepare(
      `INSERT INTO dead_letters_expired (source_topic, reason, status, count) VALUES (?, ?, ?, 1)
       ON CONFLICT (source_topic, reason, status) DO UPDATE SET count = count + 1`,
    ),
    transition: db.prepare('UPDATE dead_letters SET status = ?, updated_at = ? WHERE id = ? AND status = ?'),
    audit: db.prepare(
      `INSERT INTO dead_letter_actions (dead_letter_id, action, at, actor, note, edited_payload, redriven_topic,
         redriven_partition, redriven_offset)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    actions: db.prepare('SELECT * FROM dead_letter_actions WHERE dead_letter_id = ? ORDER BY seq'),
  };
  const record = db.transaction((letters: readonly CollectedDeadLetter[], now: number) => {
    for (const l of letters) {
      const inserted =
        sql.insert.run(
          l.id,
          l.topic,
          l.partition,
          l.offset,
          l.key,
          Buffer.from(l.value),
          JSON.stringify(l.headers),
          l.reason,
          JSON.stringify([l.group]),
          l.failedAt,
          now,
        ).changes > 0;
      if (inserted) continue;
      const row = sql.groups.get(l.id) as { groups: string };
      const groups = JSON.parse(row.groups) as string[];
      if (!groups.includes(l.group)) sql.setGroups.run(JSON.stringify([...groups, l.group].sort()), l.id);
    }
  });
  const RESOLVED: readonly DeadLetterStatus[] = ['redriven', 'discarded'];
  // One transaction: a dead letter leaves the table and enters the expired counts together.
  const expireResolved = db.transaction((before: number, limit: number) => {
    let deleted = 0;
    for (const status of RESOLVED) {
      const rows = sql.expirable.all(status, before, limit - deleted) as Pick<
        DeadLetterRow,
        'id' | 'source_topic' | 'reason' | 'status'
      >[];
      for (const r of rows) {
        sql.deleteActions.run(r.id);
        sql.deleteLetter.run(r.id);
        sql.countExpired.run(r.source_topic, r.reason, r.status);
      }
      deleted += rows.length;
      if (deleted >= limit) break;
    }
    return deleted;
  });
  return {
    record: (letters, now) => settle(() => record.immediate(letters, now)),
    deadLetter: (id) =>
      settle(() => {
        const row = sql.byId.get(id) as DeadLetterRow | undefined;
        return row && fromRow(row);
      }),
    list: (status, reason, limit) =>
      settle(() =>
        (
          (reason === undefined
            ? sql.newest.all(status, limit)
            : sql.newestOfReason.all(status, reason, limit)) as DeadLetterRow[]
        ).map(fromRow),
      ),
    reasons: (status) => settle(() => sql.reasons.all(status) as { reason: string; count: number }[]),
    counts: () => settle(() => sql.counts.all() as DeadLetterReasonCount[]),
    transition: (id, from, to, now) => settle(() => sql.transition.run(to, now, id, from).changes > 0),
    audit: (a) =>
      settle(
        () =>
          void sql.audit.run(
            a.deadLetterId,
            a.action,
            a.at,
            a.actor,
            a.note,
            a.editedPayload,
            a.redrivenTo?.topic ?? null,
            a.redrivenTo?.partition ?? null,
            a.redrivenTo?.offset ?? null,
          ),
      ),
    actions: (id) => settle(() => (sql.actions.all(id) as ActionRow[]).map(actionFromRow)),
    byKey: (key, limit) => settle(() => (sql.byKey.all(key, limit) as DeadLetterRow[]).map(fromRow)),
    expireResolved: (before, limit) => settle(() => expireResolved.immediate(before, limit)),
  };
}
