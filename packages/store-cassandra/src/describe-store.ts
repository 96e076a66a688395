import type { StoreDescription } from '@kafka-monitor/domain';
import type { Keyspaces } from './schema.js';
import type { Session } from './session.js';

const ESTIMATES = 'SELECT mean_partition_size, partitions_count FROM system.size_estimates WHERE keyspace_name = ?';

const asNumber = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Cassandra has no cheap exact size: summing tables would scan them. Each node keeps per-table
 * estimates (mean partition size × partitions, per token range it owns) in `system.size_estimates`,
 * one partition per keyspace, recomputed every few minutes; their sum over our three keyspaces is the
 * data the node answering holds, an estimate that lags writes. Probing first makes an unreachable
 * cluster fail the description, as it fails `ping`; estimates the user may not read leave the size
 * out with the reason.
 */
export async function describeCassandraStore(session: Session, ks: Keyspaces): Promise<StoreDescription> {
  await session.rows('SELECT release_version FROM system.local', []);
  try {
    let bytes = 0;
    for (const keyspace of [ks.order, ks.query, ks.registry]) {
      for (const row of await session.rows(ESTIMATES, [keyspace])) {
        bytes += asNumber(row.mean_partition_size) * asNumber(row.partitions_count);
      }
    }
    return {
      kind: 'cassandra',
      sizeBytes: Math.round(bytes),
      sizeNote: "estimated from the answering node's system.size_estimates (refreshed every few minutes)",
    };
  } catch (error) {
    return {
      kind: 'cassandra',
      sizeBytes: null,
      sizeNote: `no size: system.size_estimates is not readable (${(error as Error).message})`,
    };
  }
}
