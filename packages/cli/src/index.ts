export { runCli, EXIT, type CliDependencies } from './cli.js';
export { adaptersFromConfig, asEventBusAdmin, type Adapters, type BusConnection } from './adapters.js';
export type { Terminal } from './terminal.js';
