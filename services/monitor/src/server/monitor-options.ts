import { fileURLToPath } from 'node:url';
import type { RuleLimits } from '@kafka-monitor/domain';
import type { MonitorOptions } from './app.js';

export interface MonitorSettings {
  readonly monitorApiToken: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly bus: string;
  readonly store: string;
  readonly orderRate: number;
  readonly anomalyRate: number;
  readonly kafkaClusterName: string;
  readonly reviewSlaMinutes: number;
  readonly reviewExpiry: 'deny' | 'accept' | 'off';
  readonly ruleLimits: RuleLimits;
}

/** The monitor's options from the process configuration (structurally, so this file needs no runtime import). */
/** Where the build of the dashboard lands (vite.config.ts), next to this package's sources. */
export const DASHBOARD_BUILD = fileURLToPath(new URL('../../dist/web', import.meta.url));

export function monitorOptionsFrom(config: MonitorSettings): MonitorOptions {
  return {
    webRoot: DASHBOARD_BUILD,
    apiToken: config.monitorApiToken,
    corsOrigins: config.corsOrigins,
    busType: config.bus,
    storeType: config.store,
    clusterName: config.kafkaClusterName,
    defaultGenerator: { 'order-rate': config.orderRate, 'anomaly-rate': config.anomalyRate },
    reviewSlaMinutes: config.reviewSlaMinutes,
    reviewExpiry: config.reviewExpiry,
    ruleLimits: config.ruleLimits,
  };
}
