export {
  loadConfig,
  metricsPortOf,
  ConfigError,
  DEFAULT_METRICS_PORT,
  SERVICE_NAMES,
  type Config,
  type Environment,
  type ServiceName,
} from './config.js';
export {
  openInfrastructure,
  openStore,
  pipelineTopics,
  embeddedFiles,
  UnavailableAdapterError,
  type Infrastructure,
} from './infrastructure.js';
export { createLogger } from './logger.js';
export { busNames, prefixEventBus, prefixEventBusAdmin, type BusNames } from './prefixed-bus.js';
export { runProcess, stopAll, type ProcessContext, type RunProcessOptions, type Stoppable } from './run-process.js';
export { startOpsServer, OpsServerBindError, type OpsServer, type OpsServerOptions } from './ops-server.js';
export { createReadiness, reasonOf, sanitizeReason, type Readiness, type ReadinessState } from './readiness.js';
export { retryStart, type RetryStartOptions } from './retry-start.js';
export { newTimeOrderedId } from './order-ids.js';
