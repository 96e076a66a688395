import type { BucketMarks } from '../buckets.js';
import type { Session } from '../session.js';

/** The registry's position rows share one partition: one row per source partition. */
export const GROUP = 'registry';
export const REGISTRY_PROCESSOR_ID = 'registry-processor';
/** Status index buckets are days of the registration time. */
export const DAY_MS = 86_400_000;
/** The time_buckets series of status_decisions_by_hour, and its bucket width. */
export const DECISIONS_SERIES = 'decisions';
export const HOUR_MS = 3_600_000;

/** The CQL of the registry tables of keyspace `r`. */
export function registryStatements(r: string) {
  return {
    shard: `SELECT * FROM ${r}.source_positions WHERE shard_group = ? AND consumer = ? AND topic = ? AND partition = ?`,
    shards: `SELECT * FROM ${r}.source_positions WHERE shard_group = ?`,
    consumerShards: `SELECT * FROM ${r}.source_positions WHERE shard_group = ? AND consumer = ?`,
    writeShard: `INSERT INTO ${r}.source_positions
      (shard_group, consumer, topic, partition, next_offset, processed_count, error_count, last_processed_timestamp,
       registered_count, pending_count, accepted_count, denied_count, accepted_revenue_cents,
       total_validated, total_approved, total_rejected, rule_hits)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
    register: `INSERT INTO ${r}.registered_orders
      (order_id, customer_id, product_id, quantity, unit_price, total, status, registered_at, updated_at, version,
       validation_passed, unit_price_cents, total_cents, order_timestamp, order_status, failed_rules,
       registered_by, initial_status, registration_reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    // The row of a claimed registration, written at timestamp 1: every decision (a lightweight transaction,
    // written at the current time) supersedes its cells, while a replay, or a late write of a consumer
    // that lost the partition, writes the same values at the same timestamp and changes nothing.
    writeRegistered: `INSERT INTO ${r}.registered_orders
      (order_id, customer_id, product_id, quantity, unit_price, total, status, registered_at, updated_at, version,
       validation_passed, unit_price_cents, total_cents, order_timestamp, order_status, failed_rules,
       registered_by, initial_status, registration_reason)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP 1`,
    registered: `SELECT * FROM ${r}.registered_orders WHERE order_id = ?`,
    registeredIn: `SELECT * FROM ${r}.registered_orders WHERE order_id IN ?`,
    decide: `UPDATE ${r}.registered_orders SET status = ?, updated_at = ?, version = ?, last_request_id = ?
    WHERE order_id = ? IF version = ? AND status = 'pending'`,
    insertUpdate: `INSERT INTO ${r}.order_updates
      (order_id, version, previous_status, new_status, updated_at, update_reason, request_id, requested_by)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    history: `SELECT * FROM ${r}.order_updates WHERE order_id = ?`,
    update: `SELECT * FROM ${r}.order_updates WHERE order_id = ? AND version = ?`,
    decision: `SELECT * FROM ${r}.status_decisions WHERE request_id = ?`,
    insertDecision: `INSERT INTO ${r}.status_decisions
      (request_id, order_id, applied, reason, decided_at, new_status, decided_by)
    VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS USING TTL ?`,
    indexDecision: `INSERT INTO ${r}.status_decisions_by_hour (bucket_id, decided_at, request_id) VALUES (?, ?, ?)
      USING TTL ?`,
    expiringDecisions: `SELECT decided_at, request_id FROM ${r}.status_decisions_by_hour WHERE bucket_id = ? LIMIT ?`,
    // Conditional: only the record this index row was written for.
    expireDecision: `DELETE FROM ${r}.status_decisions WHERE request_id = ? IF decided_at = ?`,
    unindexDecision: `DELETE FROM ${r}.status_decisions_by_hour WHERE bucket_id = ? AND decided_at = ? AND request_id = ?`,
    indexStatus: `INSERT INTO ${r}.registered_by_status (status, bucket_id, registered_at, order_id) VALUES (?, ?, ?, ?)`,
    unindexStatus: `DELETE FROM ${r}.registered_by_status
    WHERE status = ? AND bucket_id = ? AND registered_at = ? AND order_id = ?`,
    byStatusBucket: `SELECT order_id FROM ${r}.registered_by_status WHERE status = ? AND bucket_id = ? LIMIT ?`,
    oldestPendingBucket: `SELECT order_id FROM ${r}.registered_by_status WHERE status = 'pending' AND bucket_id = ?
    ORDER BY registered_at ASC LIMIT ?`,
    statuses: `SELECT order_id, status FROM ${r}.registered_orders WHERE order_id IN ?`,
    mirrorValidation: `INSERT INTO ${r}.validation_stats
      (processor_id, total_validated, total_approved, total_rejected, timestamp) VALUES (?, ?, ?, ?, ?)`,
  };
}

export type RegistryStatements = ReturnType<typeof registryStatements>;

/** What every part of the Cassandra registry works with. */
export interface RegistryContext {
  readonly session: Session;
  readonly cql: RegistryStatements;
  readonly keyspace: string;
  readonly marks: BucketMarks;
  /** Seconds a decision record lives (0 = forever). */
  readonly decisionTtlSeconds: number;
}
