export { loadConfig, ConfigError, SERVICE_NAMES, type Config, type Environment, type ServiceName } from './config.js';
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
export { runProcess, stopAll, type ProcessContext, type Stoppable } from './run-process.js';
export { retryStart, type RetryStartOptions } from './retry-start.js';
export { newTimeOrderedId } from './order-ids.js';
