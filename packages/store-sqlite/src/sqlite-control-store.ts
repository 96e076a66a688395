import type { ControlStore, InstanceReport } from '@kafka-monitor/domain';
import type { SqliteDatabase } from '@kafka-monitor/sqlite';
import type { Settle } from './checkpoint.js';

interface InstanceRow {
  processor: string;
  instance_id: string;
  started_at: number;
  heartbeat_at: number;
  processed: number;
  errors: number;
  throughput: number;
  last_processed_at: number | null;
}

const instanceFromRow = (r: InstanceRow): InstanceReport => ({
  processor: r.processor,
  instanceId: r.instance_id,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
  processed: r.processed,
  errors: r.errors,
  throughputPerSecond: r.throughput,
  lastProcessedAt: r.last_processed_at,
});

export function createSqliteControlStore(db: SqliteDatabase, settle: Settle): ControlStore {
  const sql = {
    reserve: db.prepare(
      'INSERT OR IGNORE INTO idempotency_keys (key, order_id, fingerprint, created_at) VALUES (?, ?, ?, ?)',
    ),
    key: db.prepare('SELECT * FROM idempotency_keys WHERE key = ?'),
    release: db.prepare('DELETE FROM idempotency_keys WHERE key = ? AND order_id = ?'),
    expireKeys: db.prepare(
      `DELETE FROM idempotency_keys WHERE rowid IN
         (SELECT rowid FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
    ),
    settings: db.prepare('SELECT * FROM generator_settings WHERE id = 1'),
    saveSettings: db.prepare(
      'INSERT OR REPLACE INTO generator_settings (id, order_rate, anomaly_rate, updated_at) VALUES (1, ?, ?, ?)',
    ),
    heartbeat: db.prepare(
      `INSERT OR REPLACE INTO processor_instances
         (processor, instance_id, started_at, heartbeat_at, processed, errors, throughput, last_processed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    live: db.prepare('SELECT * FROM processor_instances WHERE heartbeat_at >= ? ORDER BY processor, instance_id'),
    prune: db.prepare('DELETE FROM processor_instances WHERE heartbeat_at < ?'),
  };
  const reserve = db.transaction((key: string, orderId: string, fingerprint: string, now: number) => {
    const created = sql.reserve.run(key, orderId, fingerprint, now).changes > 0;
    const row = sql.key.get(key) as { key: string; order_id: string; fingerprint: string; created_at: number };
    return { key: row.key, orderId: row.order_id, fingerprint: row.fingerprint, createdAt: row.created_at, created };
  });
  return {
    reserveIdempotencyKey: (key, orderId, fingerprint, now) =>
      settle(() => reserve.immediate(key, orderId, fingerprint, now)),
    releaseIdempotencyKey: (key, orderId) => settle(() => void sql.release.run(key, orderId)),
    expireIdempotencyKeys: (before, limit) => settle(() => sql.expireKeys.run(before, limit).changes),
    generatorSettings: () =>
      settle(() => {
        const row = sql.settings.get() as { order_rate: number; anomaly_rate: number; updated_at: number } | undefined;
        return row && { orderRate: row.order_rate, anomalyRate: row.anomaly_rate, updatedAt: row.updated_at };
      }),
    saveGeneratorSettings: (s) => settle(() => void sql.saveSettings.run(s.orderRate, s.anomalyRate, s.updatedAt)),
    heartbeat: (r) =>
      settle(
        () =>
          void sql.heartbeat.run(
            r.processor,
            r.instanceId,
            r.startedAt,
            r.heartbeatAt,
            r.processed,
            r.errors,
            r.throughputPerSecond,
            r.lastProcessedAt,
          ),
      ),
    liveInstances: (since) => settle(() => (sql.live.all(since) as InstanceRow[]).map(instanceFromRow)),
    pruneInstances: (before) => settle(() => void sql.prune.run(before)),
  };
}
