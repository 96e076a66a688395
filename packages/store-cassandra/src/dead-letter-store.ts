import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_STATUSES, topicOfDeadLetterId } from '@kafka-monitor/domain';
import type {
  DeadLetter,
  DeadLetterAction,
  DeadLetterReasonCount,
  DeadLetterStatus,
  DeadLetterStore,
} from '@kafka-monitor/domain';
import { MAX_IN_KEYS, QUERIES_IN_FLIGHT, chunksOf, forEachLimited, mapLimited } from './concurrency.js';
import { num, optNum, optStr, str } from './rows.js';
import type { Keyspaces } from './schema.js';
import type { Row, Session } from './session.js';

const parseJson = <T>(text: string, fallback: T): T => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

const fromRow = (r: Row): DeadLetter => ({
  id: str(r, 'id'),
  topic: str(r, 'source_topic'),
  partition: num(r, 'source_partition'),
  offset: num(r, 'source_offset'),
  key: optStr(r, 'message_key'),
  value: new Uint8Array(Buffer.from(str(r, 'value_base64'), 'base64')),
  headers: parseJson<Record<string, string>>(str(r, 'headers'), {}),
  reason: str(r, 'reason'),
  groups: parseJson<string[]>(str(r, 'groups'), []),
  failedAt: num(r, 'failed_at'),
  status: str(r, 'status') as DeadLetterStatus,
  updatedAt: num(r, 'updated_at'),
});

const actionFromRow = (r: Row): DeadLetterAction => {
  const topic = optStr(r, 'redriven_topic');
  return {
    deadLetterId: str(r, 'dead_letter_id'),
    action: str(r, 'action') as DeadLetterAction['action'],
    at: num(r, 'at'),
    actor: str(r, 'actor'),
    note: optStr(r, 'note'),
    editedPayload: optStr(r, 'edited_payload'),
    redrivenTo:
      topic === null
        ? null
        : { topic, partition: optNum(r, 'redriven_partition') ?? 0, offset: optNum(r, 'redriven_offset') ?? 0 },
  };
};

/**
 * Dead letters keyed by id, plus one index partition per status ordered by failure time (read whole
 * for the counts per reason: a backlog of dead letters is thousands of small rows, not millions).
 * A status change is a lightweight transaction on the dead letter, then the index row moves; lists
 * re-read the dead letters themselves, so an index row left behind by a crash in between is never shown.
 */
export function createCassandraDeadLetterStore(session: Session, ks: Keyspaces): DeadLetterStore {
  const o = ks.order;
  const cql = {
    insert: `INSERT INTO ${o}.dead_letters (id, source_topic, source_partition, source_offset, message_key,
        value_base64, headers, reason, groups, failed_at, status, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    setGroups: `UPDATE ${o}.dead_letters SET groups = ? WHERE id = ?`,
    byId: `SELECT * FROM ${o}.dead_letters WHERE id = ?`,
    byIds: `SELECT * FROM ${o}.dead_letters WHERE id IN ?`,
    index: `INSERT INTO ${o}.dead_letters_by_status (status, failed_at, id, reason) VALUES (?, ?, ?, ?)`,
    unindex: `DELETE FROM ${o}.dead_letters_by_status WHERE status = ? AND failed_at = ? AND id = ?`,
    indexed: `SELECT id, reason FROM ${o}.dead_letters_by_status WHERE status = ?`,
    transition: `UPDATE ${o}.dead_letters SET status = ?, updated_at = ? WHERE id = ? IF status = ?`,
    audit: `INSERT INTO ${o}.dead_letter_actions (dead_letter_id, at, action_id, action, actor, note, edited_payload,
        redriven_topic, redriven_partition, redriven_offset)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    actions: `SELECT * FROM ${o}.dead_letter_actions WHERE dead_letter_id = ?`,
    byKey: `SELECT * FROM ${o}.dead_letters WHERE message_key = ?`,
    indexedAt: `SELECT id, failed_at FROM ${o}.dead_letters_by_status WHERE status = ?`,
    // Conditional, so the deletion (and its count below) happens once however many passes race.
    expire: `DELETE FROM ${o}.dead_letters WHERE id = ? IF status = ?`,
    expireActions: `DELETE FROM ${o}.dead_letter_actions WHERE dead_letter_id = ?`,
    countExpired: `UPDATE ${o}.dead_letters_expired SET expired = expired + ? WHERE source_topic = ? AND reason = ? AND status = ?`,
    expired: `SELECT source_topic, reason, status, expired FROM ${o}.dead_letters_expired`,
  };
  const RESOLVED: readonly DeadLetterStatus[] = ['redriven', 'discarded'];

  /** The dead letters of the given ids, in IN reads of MAX_IN_KEYS, bounded in flight however many. */
  const byIds = async (ids: readonly string[]): Promise<DeadLetter[]> =>
    (await mapLimited(chunksOf(ids, MAX_IN_KEYS), QUERIES_IN_FLIGHT, (chunk) => session.rows(cql.byIds, [chunk])))
      .flat()
      .map(fromRow);

  // Cassandra refuses an empty partition key; no dead letter has an empty id, so there is nothing to read.
  const get = async (id: string): Promise<DeadLetter | undefined> => {
    if (id === '') return undefined;
    const [row] = await session.rows(cql.byId, [id]);
    return row === undefined ? undefined : fromRow(row);
  };

  return {
    async record(letters, now) {
      for (const l of letters) {
        const groups = JSON.stringify([l.group]);
        const result = await session.lwt(cql.insert, [
          l.id,
          l.topic,
          l.partition,
          l.offset,
          l.key,
          Buffer.from(l.value).toString('base64'),
          JSON.stringify(l.headers),
          l.reason,
          groups,
          l.failedAt,
          'pending',
          now,
        ]);
        const current = result.current;
        // Written again even when the row existed: a crash between the two writes must not hide it.
        const status = current === undefined ? 'pending' : str(current, 'status');
        await session.write(cql.index, [
          status,
          l.failedAt,
          l.id,
          current === undefined ? l.reason : str(current, 'reason'),
        ]);
        if (current === undefined) continue;
        const known = parseJson<string[]>(str(current, 'groups'), []);
        if (!known.includes(l.group)) {
          await session.write(cql.setGroups, [JSON.stringify([...known, l.group].sort()), l.id]);
        }
      }
    },
    deadLetter: get,
    async list(status, reason, limit) {
      const index = await session.rows(cql.indexed, [status]);
      const ids = index
        .filter((r) => reason === undefined || str(r, 'reason') === reason)
        .map((r) => str(r, 'id'))
        .slice(0, limit);
      if (ids.length === 0) return [];
      const rows = (await byIds(ids)).filter((l) => l.status === status);
      return rows.sort((a, b) => b.failedAt - a.failedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    },
    async reasons(status) {
      const counts = new Map<string, number>();
      for (const row of await session.rows(cql.indexed, [status])) {
        const reason = str(row, 'reason');
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
      }
      return [...counts]
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
    },
    // The status index holds no topic column; each row's id names it (deadLetterId), so counting needs
    // no migration and reads the same small rows as `reasons`. A crash inside `transition` can leave a
    // dead letter indexed under two statuses: the row itself says which one holds.
    async counts() {
      const indexed = new Map<string, { reason: string; statuses: DeadLetterStatus[] }>();
      for (const status of DEAD_LETTER_STATUSES) {
        for (const row of await session.rows(cql.indexed, [status])) {
          const id = str(row, 'id');
          const entry = indexed.get(id) ?? { reason: str(row, 'reason'), statuses: [] };
          entry.statuses.push(status);
          indexed.set(id, entry);
        }
      }
      const doubtful = [...indexed].filter(([, entry]) => entry.statuses.length > 1).map(([id]) => id);
      if (doubtful.length > 0) {
        for (const letter of await byIds(doubtful)) {
          const entry = indexed.get(letter.id);
          if (entry !== undefined) entry.statuses = [letter.status];
        }
      }
      const counts = new Map<string, DeadLetterReasonCount>();
      const add = (topic: string, reason: string, status: DeadLetterStatus, count: number) => {
        const key = JSON.stringify([topic, reason, status]);
        counts.set(key, { topic, reason, status, count: (counts.get(key)?.count ?? 0) + count });
      };
      for (const row of await session.rows(cql.expired, [])) {
        add(str(row, 'source_topic'), str(row, 'reason'), str(row, 'status') as DeadLetterStatus, num(row, 'expired'));
      }
      for (const [id, { reason, statuses }] of indexed) {
        const topic = topicOfDeadLetterId(id) ?? id;
        for (const status of statuses) add(topic, reason, status, 1);
      }
      return [...counts.values()];
    },
    async transition(id, from, to, now) {
      const letter = await get(id);
      if (letter === undefined || letter.status !== from) return false;
      const result = await session.lwt(cql.transition, [to, now, id, from]);
      if (!result.applied) return false;
      await session.write(cql.index, [to, letter.failedAt, id, letter.reason]);
      await session.write(cql.unindex, [from, letter.failedAt, id]);
      return true;
    },
    async audit(a) {
      await session.write(cql.audit, [
        a.deadLetterId,
        a.at,
        randomUUID(),
        a.action,
        a.actor,
        a.note,
        a.editedPayload,
        a.redrivenTo?.topic ?? null,
        a.redrivenTo?.partition ?? null,
        a.redrivenTo?.offset ?? null,
      ]);
    },
    async actions(id) {
      if (id === '') return [];
      return (await session.rows(cql.actions, [id])).map(actionFromRow);
    },
    async byKey(key, limit) {
      // Through the secondary index on message_key: the few dead letters of one order, from every node.
      const letters = (await session.rows(cql.byKey, [key])).map(fromRow);
      return letters.sort((a, b) => a.failedAt - b.failedAt || (a.id < b.id ? -1 : 1)).slice(0, limit);
    },
    // The resolved statuses' index partitions are read whole, as `counts` reads them: a few thousand
    // small rows. A crash after the conditional delete leaves an index row without its dead letter,
    // which the next pass clears (and may leave that one dead letter out of the expired counts).
    async expireResolved(before, limit) {
      let removed = 0;
      for (const status of RESOLVED) {
        if (removed >= limit) break;
        const index = await session.rows(cql.indexedAt, [status]);
        const letters = new Map((await byIds(index.map((r) => str(r, 'id')))).map((l) => [l.id, l]));
        const orphans = index.filter((r) => !letters.has(str(r, 'id')));
        const due = [...letters.values()]
          .filter((l) => l.status === status && l.updatedAt < before)
          .sort((a, b) => a.updatedAt - b.updatedAt)
          .slice(0, limit - removed);
        await forEachLimited(due, QUERIES_IN_FLIGHT, async (letter) => {
          const result = await session.lwt(cql.expire, [letter.id, status]);
          if (!result.applied) return;
          await session.write(cql.expireActions, [letter.id]);
          await session.write(cql.countExpired, [1, letter.topic, letter.reason, status]);
          await session.write(cql.unindex, [status, letter.failedAt, letter.id]);
          removed++;
        });
        for (const row of orphans) await session.write(cql.unindex, [status, row.failed_at, str(row, 'id')]);
      }
      return removed;
    },
  };
}
