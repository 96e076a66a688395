import { readFileSync } from 'node:fs';

/** What `kafka_monitor_build_info` says about a process. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodejsVersion: string;
  readonly bus: string;
  readonly store: string;
}

/**
 * The git commit the bundles were built from: scripts/build.mjs replaces this name with a string
 * literal (esbuild `define`). Where nothing replaced it (tests, scripts run by tsx) it is not defined
 * at all, which `typeof` reads safely.
 */
declare const __KAFKA_MONITOR_REVISION__: string | undefined;

const UNKNOWN = 'unknown';

export function builtRevision(): string {
  return typeof __KAFKA_MONITOR_REVISION__ === 'string' && __KAFKA_MONITOR_REVISION__ !== ''
    ? __KAFKA_MONITOR_REVISION__
    : UNKNOWN;
}

/**
 * The version of the root package.json. Found relative to this source file, which is where the
 * bundles resolve `import.meta.url` too (scripts/build.mjs), so a checkout and the image (whose /app
 * keeps the root package.json) both find it.
 */
export function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as unknown;
    const version = (manifest as { version?: unknown }).version;
    return typeof version === 'string' && version !== '' ? version : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

export function currentBuild(settings: { readonly bus: string; readonly store: string }): BuildInfo {
  return {
    version: packageVersion(),
    revision: builtRevision(),
    nodejsVersion: process.version,
    bus: settings.bus,
    store: settings.store,
  };
}
