export { buildMonitorApp, type MonitorDeps } from './server/app.js';
export * from './contract.js';
