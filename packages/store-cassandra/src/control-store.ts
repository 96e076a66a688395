import type { ControlStore, InstanceReport } from '@kafka-monitor/domain';
import { bucketMarks, expireBuckets } from './buckets.js';
import { QUERIES_IN_FLIGHT, forEachLimited } from './concurrency.js';
import { bucketOf, num, optNum, str } from './rows.js';
import type { Keyspaces } from './schema.js';
import type { Row, Session } from './session.js';

/** All instances in one partition: a handful of processes, read whole by the monitor. */
const INSTANCES = 'instances';
const SETTINGS_ID = 1;
/** The time_buckets series of idempotency_keys_by_hour. */
const KEYS_SERIES = 'idempotency-keys';

const instanceFromRow = (r: Row): InstanceReport => ({
  processor: str(r, 'processor'),
  instanceId: str(r, 'instance_id'),
  startedAt: num(r, 'started_at'),
  heartbeatAt: num(r, 'heartbeat_at'),
  processed: num(r, 'processed'),
  errors: num(r, 'errors'),
  throughputPerSecond: num(r, 'throughput'),
  lastProcessedAt: optNum(r, 'last_processed_at'),
});

/**
 * Idempotency keys live in a table keyed by the key alone; retention finds them by creation time through
 * idempotency_keys_by_hour (one partition per hour of creation, walked through time_buckets), and each
 * key is written with a TTL so it expires even where no pass runs.
 */
export function createCassandraControlStore(
  session: Session,
  ks: Keyspaces,
  options: { readonly bucketMs: number; readonly idempotencyKeyTtlSeconds: number },
): ControlStore {
  const o = ks.order;
  const marks = bucketMarks(session, o);
  const cql = {
    reserve: `INSERT INTO ${o}.idempotency_keys (key, order_id, fingerprint, created_at) VALUES (?, ?, ?, ?)
      IF NOT EXISTS USING TTL ?`,
    indexKey: `INSERT INTO ${o}.idempotency_keys_by_hour (bucket_id, created_at, key) VALUES (?, ?, ?) USING TTL ?`,
    expiring: `SELECT created_at, key FROM ${o}.idempotency_keys_by_hour WHERE bucket_id = ? LIMIT ?`,
    // Conditional: a key reserved again since (after an expiry or a release) keeps its new reservation.
    expireKey: `DELETE FROM ${o}.idempotency_keys WHERE key = ? IF created_at = ?`,
    unindexKey: `DELETE FROM ${o}.idempotency_keys_by_hour WHERE bucket_id = ? AND created_at = ? AND key = ?`,
    // Conditional, so a request that lost the key cannot release the winner's reservation.
    release: `DELETE FROM ${o}.idempotency_keys WHERE key = ? IF order_id = ?`,
    settings: `SELECT * FROM ${o}.generator_settings WHERE id = ?`,
    saveSettings: `INSERT INTO ${o}.generator_settings (id, order_rate, anomaly_rate, updated_at) VALUES (?, ?, ?, ?)`,
    heartbeat: `INSERT INTO ${o}.processor_instances
        (scope, processor, instance_id, started_at, heartbeat_at, processed, errors, throughput, last_processed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    instances: `SELECT * FROM ${o}.processor_instances WHERE scope = ?`,
    forget: `DELETE FROM ${o}.processor_instances WHERE scope = ? AND processor = ? AND instance_id = ?`,
  };

  const instances = async () => (await session.rows(cql.instances, [INSTANCES])).map(instanceFromRow);

  return {
    async reserveIdempotencyKey(key, orderId, fingerprint, now) {
      // Indexed before it is reserved, so a crash in between leaves an index row (cleared by the next
      // pass) rather than a key no pass would find.
      const bucket = bucketOf(now, options.bucketMs);
      await marks.touch(KEYS_SERIES, bucket);
      await session.write(cql.indexKey, [bucket, now, key, options.idempotencyKeyTtlSeconds]);
      const result = await session.lwt(cql.reserve, [key, orderId, fingerprint, now, options.idempotencyKeyTtlSeconds]);
      if (result.applied || result.current === undefined) {
        return { key, orderId, fingerprint, createdAt: now, created: true };
      }
      const held = result.current;
      return {
        key,
        orderId: str(held, 'order_id'),
        fingerprint: str(held, 'fingerprint'),
        createdAt: num(held, 'created_at'),
        created: false,
      };
    },
    async releaseIdempotencyKey(key, orderId) {
      await session.lwt(cql.release, [key, orderId]);
    },
    expireIdempotencyKeys(before, limit) {
      const firstKept = bucketOf(before, options.bucketMs);
      return expireBuckets(session, o, KEYS_SERIES, firstKept, limit, async (bucket, remaining) => {
        const rows = await session.rows(cql.expiring, [bucket, remaining]);
        await forEachLimited(rows, QUERIES_IN_FLIGHT, async (row) => {
          await session.lwt(cql.expireKey, [str(row, 'key'), row.created_at]);
          await session.write(cql.unindexKey, [bucket, row.created_at, str(row, 'key')]);
        });
        return { removed: rows.length, emptied: rows.length < remaining };
      });
    },
    async generatorSettings() {
      const [row] = await session.rows(cql.settings, [SETTINGS_ID]);
      return row === undefined
        ? undefined
        : {
            orderRate: num(row, 'order_rate'),
            anomalyRate: num(row, 'anomaly_rate'),
            updatedAt: num(row, 'updated_at'),
          };
    },
    async saveGeneratorSettings(s) {
      await session.write(cql.saveSettings, [SETTINGS_ID, s.orderRate, s.anomalyRate, s.updatedAt]);
    },
    async heartbeat(r) {
      await session.write(cql.heartbeat, [
        INSTANCES,
        r.processor,
        r.instanceId,
        r.startedAt,
        r.heartbeatAt,
        r.processed,
        r.errors,
        r.throughputPerSecond,
        r.lastProcessedAt,
      ]);
    },
    async liveInstances(since) {
      return (await instances()).filter((i) => i.heartbeatAt >= since);
    },
    async pruneInstances(before) {
      const stale = (await instances()).filter((i) => i.heartbeatAt < before);
      await forEachLimited(stale, QUERIES_IN_FLIGHT, (i) =>
        session.write(cql.forget, [INSTANCES, i.processor, i.instanceId]),
      );
    },
  };
}
