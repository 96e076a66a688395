import type { PartitionLag } from '@kafka-monitor/domain';

/**
 * Age in seconds of the oldest message of a partition the group has not committed (0 when caught up):
 * the lag-in-time estimate of kafka-lag-exporter, from the append time the bus reports.
 */
export function partitionLagSeconds(partition: PartitionLag, now: number): number {
  const oldest = partition.oldestUnreadTimestamp;
  return partition.lag > 0 && oldest !== null ? Math.max(0, (now - oldest) / 1000) : 0;
}
