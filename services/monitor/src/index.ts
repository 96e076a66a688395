export { buildMonitor, type Monitor, type MonitorDeps, type MonitorOptions } from './server/app.js';
export type { MonitorMetrics } from './server/metrics.js';
export * from './contract.js';
export * from './contract-store-status.js';
export { monitorOptionsFrom, DASHBOARD_BUILD } from './server/monitor-options.js';
export * from './contract-audit.js';
export * from './contract-journey.js';
export * from './contract-rules.js';
