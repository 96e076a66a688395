export { decodeBatch, type DecodeBatchOptions, type DecodedBatch } from './decode-batch.js';
export { ProcessorMeter, type ProcessorSnapshot } from './processor-meter.js';
export { produceOrders } from './produce-orders.js';
export { startHeartbeat, type Heartbeat, type HeartbeatOptions } from './heartbeat.js';
export { createProcessMetrics, type BatchObserver, type ProcessMetrics } from './process-metrics.js';
export { currentBuild, type BuildInfo } from './build-info.js';
