export function runtimeIsStale(): boolean;
export function buildRuntime(): Promise<void>;
export function dashboardIsStale(): boolean;
export function buildDashboard(): void;
/**
 * Builds the runtime bundles when stale. Progress goes to stderr: the CLI's stdout is its answer.
 * @param {{ force?: boolean }} [options]
 */
export function ensureRuntimeBuilt(options?: {
    force?: boolean;
}): Promise<void>;
/** @param {{ force?: boolean }} [options] */
export function ensureDashboardBuilt(options?: {
    force?: boolean;
}): void;
export const root: string;
export const appDirectory: string;
/** Output name → source: the launcher, every service alone, the CLI. */
export const ENTRY_POINTS: {
    launcher: string;
    'order-processor': string;
    'query-processor': string;
    'registry-processor': string;
    monitor: string;
    'kafka-monitor': string;
};
