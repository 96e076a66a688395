export { decodeBatch, PoisonMessageError, type DecodeBatchOptions, type DecodedBatch } from './decode-batch.js';
export { ProcessorMeter, type ProcessorSnapshot } from './processor-meter.js';
export { produceOrders, type ProduceOrdersTracing } from './produce-orders.js';
export { endSpans, publishTraced, withSpans, type SendTrace } from './publish-traced.js';
export { startHeartbeat, type Heartbeat, type HeartbeatOptions } from './heartbeat.js';
export {
  createProcessMetrics,
  type BatchObserver,
  type HopObserver,
  type PipelineHop,
  type ProcessMetrics,
} from './process-metrics.js';
export { currentBuild, type BuildInfo } from './build-info.js';
export { runAudit, type AuditDeps, type AuditPhase, type AuditProgress } from './audit.js';
export { traceOrder, type TraceOrderDeps, type TraceOrderOptions } from './trace-order.js';
export {
  RebuildRunningError,
  planRebuild,
  runRebuild,
  type RebuildDeps,
  type RebuildPartitionPlan,
  type RebuildPhase,
  type RebuildPlan,
  type RebuildProgress,
  type RebuildReport,
} from './rebuild.js';
export {
  readRuleStats,
  simulateRules,
  tailRanges,
  type RuleAnalyticsDeps,
  type RuleStatsReport,
  type SimulationReport,
  type TailRange,
} from './rule-analytics.js';
export {
  RETAINED_TABLES,
  startStoreRetention,
  type RetainedTable,
  type RetentionTask,
  type StoreRetention,
  type StoreRetentionOptions,
} from './store-retention.js';
export { pipelineSnapshotFolds, readSnapshot, readFoldedSince, snapshotHorizons } from './snapshot.js';
