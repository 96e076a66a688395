import type { MonitorOptions } from './app.js';

export interface MonitorSettings {
  readonly monitorApiToken: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly bus: string;
  readonly store: string;
  readonly orderRate: number;
  readonly anomalyRate: number;
}

/** The monitor's options from the process configuration (structurally, so this file needs no runtime import). */
export function monitorOptionsFrom(config: MonitorSettings): MonitorOptions {
  return {
    apiToken: config.monitorApiToken,
    corsOrigins: config.corsOrigins,
    busType: config.bus,
    storeType: config.store,
    defaultGenerator: { 'order-rate': config.orderRate, 'anomaly-rate': config.anomalyRate },
  };
}
