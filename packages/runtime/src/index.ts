export {
  loadConfig,
  metricsPortOf,
  CONFIG_VARIABLES,
  ConfigError,
  DEFAULT_METRICS_PORT,
  SERVICE_NAMES,
  KAFKA_SECURITY_PROTOCOLS,
  KAFKA_SASL_MECHANISMS,
  type Config,
  type ConfigVariable,
  type Environment,
  type KafkaSecurity,
  type ServiceName,
  type TlsSettings,
  type TracingSettings,
} from './config.js';
export {
  openInfrastructure,
  openStore,
  kafkaSecurityOptions,
  pipelineTopics,
  embeddedFiles,
  UnavailableAdapterError,
  EMBEDDED_FILE_NAMES,
  type EmbeddedFileOptions,
  type Infrastructure,
} from './infrastructure.js';
export { createLogger, openProcessLog, type ProcessLog } from './logger.js';
export { bannerLines, httpUrl } from './banner.js';
export { busNames, prefixEventBus, prefixEventBusAdmin, type BusNames } from './prefixed-bus.js';
export { runProcess, stopAll, type ProcessContext, type RunProcessOptions, type Stoppable } from './run-process.js';
export { startOpsServer, OpsServerBindError, type OpsServer, type OpsServerOptions } from './ops-server.js';
export { createReadiness, reasonOf, sanitizeReason, type Readiness, type ReadinessState } from './readiness.js';
export { retryStart, START_RETRY, type RetryStartOptions } from './retry-start.js';
export { newTimeOrderedId } from './order-ids.js';
export { openTracing, type ProcessTracing } from './tracing.js';
export {
  createDiskWatch,
  type DiskState,
  type DiskStatus,
  type DiskWatch,
  type DiskWatchOptions,
  type FileSystemSpace,
} from './disk-watch.js';
