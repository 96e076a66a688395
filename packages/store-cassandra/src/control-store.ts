import type { ControlStore, InstanceReport } from '@kafka-monitor/domain';
import { QUERIES_IN_FLIGHT, forEachLimited } from './concurrency.js';
import { num, optNum, str } from './rows.js';
import type { Keyspaces } from './schema.js';
import type { Row, Session } from './session.js';

/** All instances in one partition: a handful of processes, read whole by the monitor. */
const INSTANCES = 'instances';
const SETTINGS_ID = 1;

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

export function createCassandraControlStore(session: Session, ks: Keyspaces): ControlStore {
  const o = ks.order;
  const cql = {
    reserve: `INSERT INTO ${o}.idempotency_keys (key, order_id, fingerprint, created_at) VALUES (?, ?, ?, ?) IF NOT EXISTS`,
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
      const result = await session.lwt(cql.reserve, [key, orderId, fingerprint, now]);
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
